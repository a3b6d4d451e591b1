package dev.courier.benchmark.chaos;

import dev.courier.mq.client.MqClient;
import dev.courier.mq.client.Producer;
import io.netty.util.concurrent.DefaultThreadFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A producer of the fault harness, run as a child process: publishes {@code <name>-<n>} messages at a
 * steady rate with at most {@code --window} unacknowledged, recording each attempt, acknowledgement
 * and give-up in its history file. It sends until its stdin closes, then waits up to
 * {@code --drain-seconds} for what is in flight (no longer once the harness is gone) and exits.
 */
@Command(name = "chaos-producer", mixinStandardHelpOptions = true, description = "A producer of the fault harness.")
public final class ChaosProducer implements Callable<Integer> {

    @Option(names = "--broker", required = true)
    String broker;

    @Option(names = "--topic", required = true)
    String topic;

    @Option(names = "--name", required = true, description = "Prefix of this producer's message ids.")
    String name;

    @Option(names = "--history", required = true)
    Path history;

    @Option(names = "--rate", defaultValue = "200", description = "Messages per second.")
    int rate;

    @Option(names = "--size", defaultValue = "256", description = "Payload bytes.")
    int size;

    @Option(names = "--window", defaultValue = "2000", description = "Unacknowledged messages at most.")
    int window;

    @Option(names = "--drain-seconds", defaultValue = "60")
    long drainSeconds;

    @Override
    public Integer call() throws Exception {
        CountDownLatch stop = ChaosClients.stdinClosed();
        ProcessHandle parent = ProcessHandle.current().parent().orElse(null); // now, while it is the harness
        AtomicLong acked = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long sent = 0;
        Semaphore inFlight = new Semaphore(window);
        // Outcomes are written off the client's I/O thread.
        ExecutorService recorder =
                Executors.newSingleThreadExecutor(new DefaultThreadFactory("courier-chaos-recorder", true));
        // A long send timeout: the producer keeps resending through every outage of the run, so nothing is given up.
        try (HistoryWriter out = new HistoryWriter(history);
                MqClient client = MqClient.connect(broker, Duration.ofMinutes(10))) {
            Producer producer = client.producer(topic);
            long interval = 1_000_000_000L / Math.max(1, rate);
            long next = System.nanoTime();
            while (stop.getCount() > 0) {
                long now = System.nanoTime();
                next = Math.max(next, now - TimeUnit.SECONDS.toNanos(1)); // after an outage, no burst to catch up
                if (next > now) {
                    LockSupport.parkNanos(next - now);
                    continue;
                }
                if (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    continue;
                }
                next += interval;
                String id = name + "-" + sent++;
                out.line("S " + id);
                producer.send(ChaosClients.payload(id, size))
                        .whenCompleteAsync(
                                (mid, e) -> {
                                    if (e == null) {
                                        out.line("A " + id + " " + HistoryWriter.nowMicros());
                                        acked.incrementAndGet();
                                    } else {
                                        out.line("F " + id);
                                        failed.incrementAndGet();
                                    }
                                    inFlight.release();
                                },
                                recorder);
            }
            // Every permit back means every outcome is on file (a flushed producer may still be completing futures).
            if (!awaitOutcomes(inFlight, parent)) {
                // Closing would wait out the send timeout; what was seen is on file already.
                System.out.printf(
                        Locale.ROOT,
                        "producer %s: sent %d, acknowledged %d, failed %d, %d without an outcome%n",
                        name,
                        sent,
                        acked.get(),
                        failed.get(),
                        window - inFlight.availablePermits());
                System.out.flush();
                System.exit(0);
            }
            recorder.shutdown();
            recorder.awaitTermination(10, TimeUnit.SECONDS);
        } finally {
            recorder.shutdownNow();
        }
        System.out.printf(
                Locale.ROOT,
                "producer %s: sent %d, acknowledged %d, failed %d%n",
                name,
                sent,
                acked.get(),
                failed.get());
        return 0;
    }

    /** Waits up to {@code --drain-seconds} for every send's outcome, less if the harness that started it is gone. */
    private boolean awaitOutcomes(Semaphore inFlight, ProcessHandle parent) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(drainSeconds);
        while (!inFlight.tryAcquire(window, 1, TimeUnit.SECONDS)) {
            if (parent == null || !parent.isAlive() || System.nanoTime() > deadline) {
                return false;
            }
        }
        return true;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new ChaosProducer()).execute(args));
    }
}
