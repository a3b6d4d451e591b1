package dev.courier.benchmark.load;

import org.HdrHistogram.Histogram;

import java.util.Map;

/**
 * What one measured phase produced: latency histogram in microseconds, completed calls, errors (and
 * their count by kind), duration and the CPU the process used meanwhile.
 */
public record LoadResult(
        Histogram latencyMicros,
        long calls,
        long errors,
        double seconds,
        double cpuSeconds,
        Map<String, Long> errorsByKind) {

    public double throughput() {
        return calls / seconds;
    }

    /** CPU used as a share of one core, e.g. 1.6 = 160 %. */
    public double cpuCores() {
        return cpuSeconds / seconds;
    }

    public long p(double percentile) {
        return latencyMicros.getValueAtPercentile(percentile);
    }
}
