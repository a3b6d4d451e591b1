package dev.courier.benchmark.jmh;

import dev.courier.rpc.internal.protocol.Codec;
import dev.courier.rpc.internal.protocol.Frame;
import dev.courier.rpc.internal.protocol.FrameDecoder;
import dev.courier.rpc.internal.protocol.FrameEncoder;
import dev.courier.rpc.internal.protocol.MethodIds;
import dev.courier.rpc.internal.protocol.OutboundRequest;
import dev.courier.rpc.internal.protocol.RequestHead;
import dev.courier.serialization.CompressionPolicy;
import dev.courier.serialization.Serializer;
import dev.courier.serialization.Serializers;
import dev.courier.serialization.TypeAllowlist;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.Map;

/** Encoding a request frame (header, head, one argument) and decoding it back, on {@link EmbeddedChannel}s. */
@State(Scope.Thread)
public class FrameCodecBenchmark {

    @Param({"100", "4096"})
    int payloadBytes;

    /** Whether the request names its method by a connection's id ({@code MethodIds}) or in full. */
    @Param({"true", "false"})
    boolean methodIds;

    private EmbeddedChannel encoder;
    private EmbeddedChannel decoder;
    private Serializer kryo;
    private RequestHead head;
    private Object[] args;
    private ByteBuf encoded;

    @Setup(Level.Trial)
    public void setUp() {
        encoder = new EmbeddedChannel(FrameEncoder.INSTANCE);
        if (methodIds) {
            MethodIds.offer(encoder, Integer.toString(MethodIds.MAX));
        }
        decoder = new EmbeddedChannel(new FrameDecoder(16 << 20));
        kryo = Serializers.load(TypeAllowlist.defaults()).byName("kryo");
        head = new RequestHead("dev.courier.bench.Echo", "", "", "echo", "[B", 3000, Map.of());
        args = new Object[] {new byte[payloadBytes]};
        encode().release(); // with ids: binds the method; the frames measured carry the id only
        encoded = encode();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        encoded.release();
        encoder.finishAndReleaseAll();
        decoder.finishAndReleaseAll();
    }

    private ByteBuf encode() {
        encoder.writeOutbound(new OutboundRequest(1, 0, kryo, CompressionPolicy.none(), head, args, null));
        return encoder.readOutbound();
    }

    @Benchmark
    public int encodeRequest() {
        ByteBuf buf = encode();
        int n = buf.readableBytes();
        buf.release();
        return n;
    }

    @Benchmark
    public Object decodeRequest() {
        decoder.writeInbound(encoded.retainedDuplicate());
        Frame frame = decoder.readInbound();
        try {
            if (frame.hasMethodId()) {
                Codec.readVarInt(frame.body()); // the server finds what the id names in an array
                RequestHead.readRestFrom(head.target(), frame.body());
            } else {
                RequestHead.readFrom(frame.body());
            }
            Codec.readVarInt(frame.body());
            return Codec.readValue(frame.body(), kryo, Object.class);
        } finally {
            frame.release();
        }
    }
}
