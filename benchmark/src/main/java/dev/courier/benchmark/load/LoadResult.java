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

    /** This phase as the {@code RESULT} of {@code system} in {@code scenario}. */
    public dev.courier.benchmark.report.Result result(String system, String scenario, int payload, int concurrency) {
        return new dev.courier.benchmark.report.Result(
                system,
                scenario,
                payload,
                concurrency,
                throughput(),
                p(50),
                p(90),
                p(99),
                p(99.9),
                latencyMicros.getMaxValue(),
                errors,
                cpuCores());
    }

    /** {@code 9000 calls/s  p50 95  p90 120  p99 180  p99.9 400  max 900 us  errors 0}. */
    public String summary() {
        return String.format(
                java.util.Locale.ROOT,
                "%.0f calls/s  p50 %d  p90 %d  p99 %d  p99.9 %d  max %d us  errors %d",
                throughput(),
                p(50),
                p(90),
                p(99),
                p(99.9),
                latencyMicros.getMaxValue(),
                errors);
    }
}
