package dev.courier.rpc;

import dev.courier.registry.Registries;
import dev.courier.registry.Registry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A throwaway measurement, not a test: closed-loop echo calls (100 B) through a direct reference and
 * through the full chain (embedded registry directory, p2c balancer, failover, circuit breaker, client
 * and server metrics, one user interceptor each side), side by side in one JVM. Run with the test class
 * path: {@code java -cp ... dev.courier.rpc.ChainThroughput [seconds] [callers...]}.
 */
public final class ChainThroughput {

    private ChainThroughput() {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        List<Integer> callerCounts = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            callerCounts.add(Integer.parseInt(args[i]));
        }
        if (callerCounts.isEmpty()) {
            callerCounts = List.of(1, 64);
        }
        String payload = "x".repeat(100);
        try (Registry registry = Registries.connect("embedded://bench");
                RpcServer server = RpcServer.builder()
                        .host("127.0.0.1")
                        .registry(registry)
                        .meterRegistry(new SimpleMeterRegistry())
                        .interceptor((invocation, chain) -> chain.proceed(invocation))
                        .export(EchoService.class, new EchoServiceImpl())
                        .start();
                RpcClient client = RpcClient.builder()
                        .registry(registry)
                        .meterRegistry(new SimpleMeterRegistry())
                        .interceptor((invocation, chain) -> {
                            invocation.attachments().put("trace-id", "t");
                            return chain.proceed(invocation);
                        })
                        .build()) {
            EchoService direct = client.reference(EchoService.class)
                    .address("127.0.0.1", server.port())
                    .build();
            EchoService chained = client.reference(EchoService.class).build();
            run(direct, payload, 1, 2);
            run(chained, payload, 1, 2);
            for (int round = 1; round <= 2; round++) {
                for (int callers : callerCounts) {
                    double d = run(direct, payload, callers, seconds);
                    double c = run(chained, payload, callers, seconds);
                    System.out.printf(
                            "round %d, %3d callers: direct %,9.0f calls/s   full chain %,9.0f calls/s"
                                    + "   (chain/direct %.2f)%n",
                            round, callers, d, c, c / d);
                }
            }
        }
    }

    private static double run(EchoService service, String payload, int callers, int seconds) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong calls = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            Thread t = new Thread(() -> {
                long n = 0;
                while (!stop.get()) {
                    service.echo(payload);
                    n++;
                }
                calls.addAndGet(n);
            });
            threads.add(t);
            t.start();
        }
        long start = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        return calls.get() / ((System.nanoTime() - start) / 1e9);
    }
}
