package dev.courier.benchmark.load;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * Drives an operation from N caller threads and records latency.
 *
 * <ul>
 *   <li>Closed loop ({@code ratePerSecond == 0}): each caller calls back to back.</li>
 *   <li>Open loop ({@code ratePerSecond > 0}): calls are scheduled at a fixed rate spread over the
 *       callers, and latency is measured from the <em>intended</em> send time, so a stall shows up in
 *       the latency of every call it delayed (no coordinated omission).</li>
 * </ul>
 * Prints one progress line per second while measuring. Not thread-safe; one run at a time.
 */
public final class LoadRunner {

    /** One call of the measured operation; throws on failure. */
    @FunctionalInterface
    public interface Operation {
        void call() throws Exception;
    }

    private static final long MAX_LATENCY_MICROS = TimeUnit.SECONDS.toMicros(60);

    private final int callers;
    private final double ratePerSecond;
    private final PrintStream progress;
    private final Function<Exception, String> errorKind;

    public LoadRunner(int callers, double ratePerSecond, PrintStream progress) {
        this(callers, ratePerSecond, progress, e -> "error");
    }

    /** @param errorKind names the kind of each failed call, for {@link LoadResult#errorsByKind()} */
    public LoadRunner(int callers, double ratePerSecond, PrintStream progress, Function<Exception, String> errorKind) {
        this.callers = callers;
        this.ratePerSecond = ratePerSecond;
        this.progress = progress;
        this.errorKind = errorKind;
    }

    /** Runs a warm-up phase (not recorded), then a measured phase, and returns the measurement. */
    public LoadResult run(Operation op, int warmupSeconds, int measureSeconds, String label)
            throws InterruptedException {
        return run(op, warmupSeconds, measureSeconds, label, () -> {});
    }

    /** As {@link #run(Operation, int, int, String)}, calling {@code measureStarts} between the two phases. */
    public LoadResult run(Operation op, int warmupSeconds, int measureSeconds, String label, Runnable measureStarts)
            throws InterruptedException {
        if (warmupSeconds > 0) {
            phase(op, warmupSeconds, null);
        }
        measureStarts.run();
        return phase(op, measureSeconds, label);
    }

    private LoadResult phase(Operation op, int seconds, String label) throws InterruptedException {
        Recorder recorder = new Recorder(MAX_LATENCY_MICROS, 3);
        LongAdder calls = new LongAdder();
        LongAdder errors = new LongAdder();
        Map<String, LongAdder> kinds = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        long startNanos = System.nanoTime();
        long intervalNanos = ratePerSecond > 0 ? (long) (1e9 * callers / ratePerSecond) : 0;
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            long offset = intervalNanos * i / Math.max(1, callers);
            Thread t = new Thread(
                    () -> loop(op, recorder, calls, errors, kinds, stop, startNanos + offset, intervalNanos),
                    "load-caller-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
        long cpuStart = processCpuNanos();
        threads.forEach(Thread::start);
        Histogram total = new Histogram(MAX_LATENCY_MICROS, 3);
        Histogram interval = null;
        long lastCalls = 0;
        long lastErrors = 0;
        for (int s = 1; s <= seconds; s++) {
            LockSupport.parkNanos(startNanos + TimeUnit.SECONDS.toNanos(s) - System.nanoTime());
            interval = recorder.getIntervalHistogram(interval);
            total.add(interval);
            long c = calls.sum();
            long e = errors.sum();
            if (label != null && progress != null) {
                progress.printf(
                        "  [%s] %3ds  %9.0f calls/s  p50 %6d us  p99 %7d us  errors %d%n",
                        label,
                        s,
                        (double) (c - lastCalls),
                        total.getValueAtPercentile(50),
                        total.getValueAtPercentile(99),
                        e - lastErrors);
            }
            lastCalls = c;
            lastErrors = e;
        }
        stop.set(true);
        long callsAtEnd = calls.sum();
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        double cpu = (processCpuNanos() - cpuStart) / 1e9;
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(30));
        }
        total.add(recorder.getIntervalHistogram());
        Map<String, Long> byKind = new TreeMap<>();
        kinds.forEach((kind, n) -> byKind.put(kind, n.sum()));
        return new LoadResult(total, callsAtEnd, errors.sum(), elapsed, cpu, Map.copyOf(byKind));
    }

    private void loop(
            Operation op,
            Recorder recorder,
            LongAdder calls,
            LongAdder errors,
            Map<String, LongAdder> kinds,
            AtomicBoolean stop,
            long firstNanos,
            long intervalNanos) {
        long intended = firstNanos;
        while (!stop.get()) {
            long start;
            if (intervalNanos > 0) {
                long wait = intended - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                start = intended;
                intended += intervalNanos;
            } else {
                start = System.nanoTime();
            }
            try {
                op.call();
                long micros = (System.nanoTime() - start) / 1000;
                recorder.recordValue(Math.min(micros, MAX_LATENCY_MICROS));
                calls.increment();
            } catch (Exception e) {
                errors.increment();
                kinds.computeIfAbsent(errorKind.apply(e), k -> new LongAdder()).increment();
            }
        }
    }

    private static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime();
        }
        return 0;
    }
}
