package dev.courier.benchmark.jmh;

import dev.courier.rpc.ServerTiming;
import dev.courier.rpc.internal.protocol.Codec;
import dev.courier.rpc.internal.protocol.Frame;
import dev.courier.rpc.internal.protocol.FrameDecoder;
import dev.courier.rpc.internal.protocol.FrameEncoder;
import dev.courier.rpc.internal.protocol.OutboundResponse;
import dev.courier.rpc.internal.protocol.ResponseHead;
import dev.courier.serialization.CompressionPolicy;
import dev.courier.serialization.Serializer;
import dev.courier.serialization.Serializers;
import dev.courier.serialization.TypeAllowlist;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the server timing in every response costs: a 100-byte result encoded into a response frame and
 * decoded by the consumer as {@code ClientHandler} does, with the provider's two clock reads and its
 * queue and exec entries ({@code timed=true}), or without them.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ResponseTimingBenchmark {

    @Param({"false", "true"})
    boolean timed;

    private EmbeddedChannel encoder;
    private EmbeddedChannel decoder;
    private Serializer kryo;
    private final byte[] result = new byte[100];
    private long received;

    @Setup(Level.Trial)
    public void setUp() {
        encoder = new EmbeddedChannel(FrameEncoder.INSTANCE);
        decoder = new EmbeddedChannel(new FrameDecoder(16 << 20));
        kryo = Serializers.load(TypeAllowlist.defaults()).byName("kryo");
        received = System.nanoTime();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        encoder.finishAndReleaseAll();
        decoder.finishAndReleaseAll();
    }

    @Benchmark
    public void respondAndRead(Blackhole bh) {
        OutboundResponse response;
        if (timed) {
            long start = System.nanoTime();
            long end = System.nanoTime();
            response = OutboundResponse.ok(
                    1,
                    kryo,
                    CompressionPolicy.none(),
                    result,
                    Map.of(),
                    (start - received) / 1000,
                    (end - start) / 1000);
        } else {
            response = OutboundResponse.ok(1, kryo, CompressionPolicy.none(), result, Map.of());
        }
        encoder.writeOutbound(response);
        ByteBuf encoded = encoder.readOutbound();
        decoder.writeInbound(encoded);
        Frame frame = decoder.readInbound();
        try {
            ServerTiming timing = ResponseHead.readTiming(frame.body());
            bh.consume(timing);
            bh.consume(Codec.readValue(frame.body(), kryo, Object.class));
        } finally {
            frame.release();
        }
    }
}
