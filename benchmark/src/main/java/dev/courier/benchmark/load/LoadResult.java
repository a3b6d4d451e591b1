package dev.courier.benchmark.load;

import org.HdrHistogram.Histogram;

/**
 * What one measured phase produced: latency histogram in microseconds, completed calls, errors,
 * duration and the CPU the process used meanwhile.
 */
public record LoadResult(Histogram latencyMicros, long calls, long errors, double seconds, double cpuSeconds) {

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
