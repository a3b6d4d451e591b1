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
import org.openjdk.jmh.annotations.Threads;

import java.util.List;

/**
 * One serializer shared by several threads, as a client's or server's is: a small value written and read
 * back per operation, so the serializer's pools of Kryo instances and buffers are taken and returned four
 * times each. With more threads than cores a thread can be descheduled while it holds whatever guards a pool.
 */
@State(Scope.Benchmark)
public class SerializerSharedBenchmark {

    @Param({"kryo"})
    String serializer;

    private Serializer codec;
    private SerializerBenchmark.Order value;

    @Setup
    public void setUp() {
        codec = Serializers.load(TypeAllowlist.builder()
                        .allow(SerializerBenchmark.Order.class)
                        .build())
                .byName(serializer);
        value = new SerializerBenchmark.Order(42, "Ada", 3, 9.99, List.of("express"));
    }

    @Benchmark
    @Threads(1)
    public Object roundTripOneThread() {
        return roundTrip();
    }

    @Benchmark
    @Threads(4)
    public Object roundTripFourThreads() {
        return roundTrip();
    }

    private Object roundTrip() {
        ByteBuf out = PooledByteBufAllocator.DEFAULT.buffer();
        try {
            codec.serialize(value, out);
            return codec.deserialize(out, Object.class);
        } finally {
            out.release();
        }
    }
}
