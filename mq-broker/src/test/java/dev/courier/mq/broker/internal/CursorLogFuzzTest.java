package dev.courier.mq.broker.internal;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes {@link CursorLog#open} over a cursor file made of entries the fuzzer chooses (any kind byte,
 * offset and count, each with a correct CRC unless the fuzzer asks for a wrong one) and a garbage
 * tail. The property: open throws nothing but {@link IOException}; the state is consistent (every
 * acknowledged offset above the floor, delivery counts only for unacknowledged offsets at or above
 * it, the handed-out mark at or above it); and opening the repaired file again gives the same state.
 */
class CursorLogFuzzTest {

    @FuzzTest
    void replayGivesAConsistentStateThatSurvivesReopening(FuzzedDataProvider data) throws IOException {
        Path dir = Files.createTempDirectory("cursor-log-fuzz");
        Path file = dir.resolve("cursor.log");
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            int entries = data.consumeInt(0, 32);
            for (int i = 0; i < entries; i++) {
                byte kind = data.consumeByte((byte) 0, (byte) 5);
                boolean counted = kind == CursorLog.DELIVERIES;
                ByteBuffer e = ByteBuffer.allocate(counted ? CursorLog.COUNTED_ENTRY_SIZE : CursorLog.ENTRY_SIZE);
                e.put(kind).putLong(data.consumeLong(-2, 64));
                if (counted) {
                    e.putInt(data.consumeInt());
                }
                CRC32C crc = new CRC32C();
                crc.update(e.array(), 0, e.position());
                boolean wrongCrc = data.consumeBoolean() && data.consumeBoolean();
                e.putInt(wrongCrc ? (int) crc.getValue() + 1 : (int) crc.getValue());
                bytes.writeBytes(e.array());
            }
            bytes.writeBytes(data.consumeRemainingAsBytes());
            Files.write(file, bytes.toByteArray());

            CursorLog.State[] state = new CursorLog.State[1];
            try {
                CursorLog.open(file, state).close();
            } catch (IOException expected) {
                return;
            }
            CursorLog.State s = state[0];
            assertThat(s.acked()).allSatisfy(offset -> assertThat(offset).isGreaterThan(s.floor()));
            assertThat(s.deliveries().keySet()).allSatisfy(offset -> {
                assertThat(offset).isGreaterThanOrEqualTo(s.floor());
                assertThat(s.acked()).doesNotContain(offset);
            });
            assertThat(s.handedOutBelow()).isGreaterThanOrEqualTo(s.floor());

            CursorLog.State[] again = new CursorLog.State[1];
            CursorLog.open(file, again).close();
            assertThat(again[0]).isEqualTo(s);
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }
}
