package dev.courier.benchmark.rpc;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Map;

/**
 * What one more idle connection costs a system (client and server together, both in this JVM): the system
 * started once with one connection and once with {@code n}, each after {@code n} calls (so that a client
 * that opens its connections on first use has them all open), then measured after full collections. The
 * difference over {@code n - 1} is the cost per connection: heap, direct buffers, and threads (which should
 * not grow with connections at all).
 *
 * @param heapPerConnection   bytes of heap a connection adds
 * @param directPerConnection bytes of direct buffers (NIO's pool) a connection adds
 * @param threadsAdded        live threads the {@code n - 1} connections added
 */
public record ConnectionFootprint(
        int connections, double heapPerConnection, double directPerConnection, int threadsAdded) {

    /** Measures {@code system} (a {@link RpcSystem#named} name) with one connection and with {@code connections}. */
    public static ConnectionFootprint measure(String system, BenchTls tls, int connections) throws Exception {
        if (connections < 2) {
            throw new IllegalArgumentException("a footprint per connection needs at least 2 connections");
        }
        Sample one = sample(system, tls, 1, connections);
        Sample many = sample(system, tls, connections, connections);
        return new ConnectionFootprint(
                connections,
                (double) (many.heap - one.heap) / (connections - 1),
                (double) (many.direct - one.direct) / (connections - 1),
                many.threads - one.threads);
    }

    private record Sample(long heap, long direct, int threads) {}

    private static Sample sample(String name, BenchTls tls, int connections, int calls) throws Exception {
        try (RpcSystem system = RpcSystem.named(name, tls)) {
            RpcSystem.Echo echo = system.start(connections);
            byte[] payload = new byte[1];
            for (int i = 0; i < calls; i++) {
                echo.echo(payload);
            }
            collect();
            return new Sample(
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(),
                    direct(),
                    ManagementFactory.getThreadMXBean().getThreadCount());
        }
    }

    private static void collect() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
    }

    private static long direct() {
        long used = 0;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                used += pool.getMemoryUsed();
            }
        }
        long netty = io.netty.util.internal.PlatformDependent.usedDirectMemory();
        return used + Math.max(0, netty);
    }

    /** {@code 1000 connections: 6.1 KiB heap, 0.0 KiB direct a connection, 0 threads added}. */
    public String line() {
        return String.format(
                Locale.ROOT,
                "%d connections: %.1f KiB heap, %.1f KiB direct a connection, %d threads added",
                connections,
                heapPerConnection / 1024,
                directPerConnection / 1024,
                threadsAdded);
    }

    /** The fields the {@code RESULT} line adds. */
    public Map<String, String> fields() {
        Map<String, String> fields = new java.util.LinkedHashMap<>();
        fields.put("heap_per_connection_kib", String.format(Locale.ROOT, "%.1f", heapPerConnection / 1024));
        fields.put("direct_per_connection_kib", String.format(Locale.ROOT, "%.1f", directPerConnection / 1024));
        fields.put("threads_added", Integer.toString(threadsAdded));
        return fields;
    }
}
