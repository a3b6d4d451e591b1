package dev.courier.benchmark;

import dev.courier.benchmark.report.Result;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class RegistryBenchTest {

    @Test
    void aLatencyFigureIsReportedInMicrosecondsWithNoRate() {
        Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        for (int ms = 1; ms <= 100; ms++) {
            h.recordValue(TimeUnit.MILLISECONDS.toNanos(ms));
        }

        Result r = RegistryBench.result("lock_acquire", h);

        assertThat(r.system()).isEqualTo(RegistryBench.SYSTEM);
        assertThat(r.scenario()).isEqualTo("lock_acquire");
        assertThat(r.throughput()).isZero();
        // HdrHistogram keeps 3 significant digits: 50 ms is reported as 50,0xx µs
        assertThat(r.p50Micros()).isBetween(49_900L, 50_100L);
        assertThat(r.p99Micros()).isBetween(98_900L, 99_100L);
        assertThat(r.maxMicros()).isBetween(99_900L, 100_100L);
    }
}
