package dev.courier.registry.raft.internal;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.courier.registry.ServiceInstance;
import dev.courier.registry.ServiceKey;
import dev.courier.registry.internal.ChangeBatch;
import dev.courier.registry.internal.InstanceCodec;
import dev.courier.registry.internal.RegistryState;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes the registry's binary codecs: the replies a client decodes ({@link RaftCodec}: change
 * batches, snapshots, service lists), the instances of PUT log entries ({@link InstanceCodec}) and
 * the state machine's snapshot file ({@link RegistryState#readFrom}). The first byte picks the
 * decoder, the rest is its input. The property: each decoder returns a value or throws
 * {@link IOException}, allocates a bounded amount, and what it decodes encodes and decodes back equal.
 */
class RegistryCodecFuzzTest {

    private static final long ALLOCATION_BOUND = 64L * 1024 * 1024;

    @FuzzTest
    void decodesOrFailsWithAnIOExceptionAndRoundTrips(byte[] input) {
        if (input.length == 0) {
            return;
        }
        byte[] body = Arrays.copyOfRange(input, 1, input.length);
        long allocated = measuredDecode(input[0] & 3, body);
        if (allocated >= ALLOCATION_BOUND) {
            // The first decoding to reach a class loads (and, while fuzzing, instruments) it on this thread,
            // which can allocate a lot once; a count that allocates does so every time.
            allocated = measuredDecode(input[0] & 3, body);
        }
        assertThat(allocated)
                .as("bytes allocated decoding %d bytes", body.length)
                .isLessThan(ALLOCATION_BOUND);
    }

    private static long measuredDecode(int codec, byte[] body) {
        long before = allocatedBytes();
        try {
            decode(codec, body);
        } catch (IOException expected) {
            // The documented failure for bytes that are not a value of the codec.
        }
        return allocatedBytes() - before;
    }

    private static void decode(int codec, byte[] body) throws IOException {
        Message message = Message.valueOf(ByteString.copyFrom(body));
        switch (codec) {
            case 0 -> {
                ChangeBatch batch = RaftCodec.decodeBatch(message);
                ChangeBatch again = RaftCodec.decodeBatch(RaftCodec.encodeBatch(batch));
                assertThat(again.revision()).isEqualTo(batch.revision());
                assertThat(again.reset()).isEqualTo(batch.reset());
                assertThat(again.changes()).isEqualTo(batch.changes());
            }
            case 1 -> {
                ServiceKey key = new ServiceKey("fuzz.Service", "1.0", "default");
                assertThat(RaftCodec.decodeSnapshot(key, message).key()).isEqualTo(key);
            }
            case 2 -> assertThat(RaftCodec.decodeServices(message)).doesNotContainNull();
            default -> {
                DataInputStream in = new DataInputStream(new ByteArrayInputStream(body));
                if (body.length > 0 && (body[0] & 1) == 0) {
                    ServiceInstance instance = InstanceCodec.read(in);
                    assertThat(InstanceCodec.fromBytes(InstanceCodec.toBytes(instance)))
                            .isEqualTo(instance);
                } else {
                    new RegistryState(16).readFrom(in);
                }
            }
        }
    }

    private static long allocatedBytes() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertThat(threads.isThreadAllocatedMemoryEnabled())
                .as("per-thread allocation accounting")
                .isTrue();
        return threads.getCurrentThreadAllocatedBytes();
    }
}
