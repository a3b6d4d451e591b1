package dev.courier.benchmark.rpc;

import dev.courier.rpc.ServerTiming;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.concurrent.TimeUnit;

/**
 * Where each call's time went, from the provider's timing in the response: queue and execution on
 * the server, and the rest (network: frames, wire, result encoding) as the total the caller measured
 * less the server's share. Microsecond histograms; thread-safe recording.
 */
public final class TimingBreakdown {

    private static final long MAX_MICROS = TimeUnit.SECONDS.toMicros(60);

    private final Recorder queue = new Recorder(MAX_MICROS, 3);
    private final Recorder exec = new Recorder(MAX_MICROS, 3);
    private final Recorder network = new Recorder(MAX_MICROS, 3);

    /** Records one call that took {@code totalNanos} for its caller; calls without a timing are left out. */
    public void record(long totalNanos, ServerTiming timing) {
        if (timing == null) {
            return;
        }
        queue.recordValue(Math.min(timing.queueMicros(), MAX_MICROS));
        exec.recordValue(Math.min(timing.execMicros(), MAX_MICROS));
        network.recordValue(Math.min(MAX_MICROS, Math.max(0, totalNanos / 1000 - timing.serverMicros())));
    }

    /** Forgets what was recorded so far (at the start of a measured phase). */
    public void reset() {
        queue.reset();
        exec.reset();
        network.reset();
    }

    /** The shares since the last {@link #reset()}. */
    public Shares shares() {
        return new Shares(queue.getIntervalHistogram(), exec.getIntervalHistogram(), network.getIntervalHistogram());
    }

    /** The three histograms of one phase. */
    public record Shares(Histogram queue, Histogram exec, Histogram network) {

        public long calls() {
            return exec.getTotalCount();
        }

        /** e.g. {@code server queue p50 12 p99 40 us | exec p50 3 p99 9 us | network p50 60 p99 200 us}. */
        public String line() {
            return String.format(
                    "server queue p50 %d p99 %d us | exec p50 %d p99 %d us | network p50 %d p99 %d us" + " (%d calls)",
                    queue.getValueAtPercentile(50),
                    queue.getValueAtPercentile(99),
                    exec.getValueAtPercentile(50),
                    exec.getValueAtPercentile(99),
                    network.getValueAtPercentile(50),
                    network.getValueAtPercentile(99),
                    calls());
        }
    }
}
