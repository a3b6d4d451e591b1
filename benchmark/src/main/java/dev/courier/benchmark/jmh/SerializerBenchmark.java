package dev.courier.benchmark.jmh;

import dev.courier.serialization.Serializer;
import dev.courier.serialization.Serializers;
import dev.courier.serialization.TypeAllowlist;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.ArrayList;
import java.util.List;

/** Each serializer writing into a pooled buffer and reading back a small object and a ~4 KiB one. */
@State(Scope.Thread)
public class SerializerBenchmark {

    /** A small object with a few fields. */
    public record Order(long id, String customer, int quantity, double price, List<String> tags) {}

    @Param({"kryo", "protostuff"})
    String serializer;

    @Param({"small", "4k"})
    String size;

    private Serializer codec;
    private Object value;
    private ByteBuf encoded;

    @Setup
    public void setUp() {
        codec = Serializers.load(TypeAllowlist.builder().allow(Order.class).build())
                .byName(serializer);
        if (size.equals("small")) {
            value = new Order(42, "Ada", 3, 9.99, List.of("express"));
        } else {
            List<Order> orders = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                orders.add(new Order(i, "customer-" + i, i, i * 1.5, List.of("tag-" + i, "bulk")));
            }
            value = orders;
        }
        encoded = PooledByteBufAllocator.DEFAULT.buffer();
        codec.serialize(value, encoded);
    }

    @Benchmark
    public int serialize() {
        ByteBuf out = PooledByteBufAllocator.DEFAULT.buffer();
        try {
            codec.serialize(value, out);
            return out.readableBytes();
        } finally {
            out.release();
        }
    }

    @Benchmark
    public Object deserialize() {
        return codec.deserialize(encoded.duplicate(), Object.class);
    }
}
