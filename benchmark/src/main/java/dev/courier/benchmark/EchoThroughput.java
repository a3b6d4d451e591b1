package dev.courier.benchmark;

import dev.courier.rpc.RpcClient;
import dev.courier.rpc.RpcServer;
import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * A first closed-loop measurement of unary echo: client and server in one JVM on loopback, one
 * connection, N callers calling back to back. Arguments: {@code [payloadBytes] [seconds] [callers...]}.
 * The full load-test harness with peers supersedes this.
 */
public final class EchoThroughput {

    /** The echoed service. */
    public interface Echo {
        String echo(String s);
    }

    private EchoThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int payload = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        List<Integer> callers = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            callers.add(Integer.parseInt(args[i]));
        }
        if (callers.isEmpty()) {
            callers = List.of(1, 16, 128);
        }
        String message = "x".repeat(payload);
        try (RpcServer server = RpcServer.builder().host("127.0.0.1").export(Echo.class, s -> s).start();
             RpcClient client = RpcClient.builder().build()) {
            Echo echo = client.reference(Echo.class).address("127.0.0.1", server.port())
                    .timeout(Duration.ofSeconds(10)).build();
            for (int n : callers) {
                run(echo, message, n, 3);
                Result r = run(echo, message, n, seconds);
                System.out.printf("RESULT system=courier-kryo scenario=echo payload=%d concurrency=%d throughput=%.0f"
                                + " p50_us=%d p99_us=%d errors=%d%n", payload, n, r.throughput,
                        r.histogram.getValueAtPercentile(50) / 1000, r.histogram.getValueAtPercentile(99) / 1000,
                        r.errors);
            }
        }
    }

    private record Result(double throughput, Histogram histogram, long errors) {
    }

    private static Result run(Echo echo, String message, int callers, int seconds) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        LongAdder calls = new LongAdder();
        LongAdder errors = new LongAdder();
        List<Histogram> histograms = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(callers);
        for (int i = 0; i < callers; i++) {
            Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            histograms.add(h);
            Thread t = new Thread(() -> {
                try {
                    while (!stop.get()) {
                        long start = System.nanoTime();
                        try {
                            echo.echo(message);
                            h.recordValue(Math.min(System.nanoTime() - start, TimeUnit.SECONDS.toNanos(10)));
                            calls.increment();
                        } catch (RuntimeException e) {
                            errors.increment();
                        }
                    }
                } finally {
                    done.countDown();
                }
            }, "caller-" + i);
            t.setDaemon(true);
            t.start();
        }
        long start = System.nanoTime();
        TimeUnit.SECONDS.sleep(seconds);
        stop.set(true);
        done.await();
        double elapsed = (System.nanoTime() - start) / 1e9;
        Histogram total = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        histograms.forEach(total::add);
        return new Result(calls.sum() / elapsed, total, errors.sum());
    }
}
