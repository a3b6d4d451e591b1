package dev.courier.benchmark.load;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class LoadRunnerTest {

    @Test
    void measureStartsRunsAfterTheWarmUpAndOnlyMeasuredCallsAreCounted() throws Exception {
        AtomicLong calls = new AtomicLong();
        AtomicLong callsAtMeasureStart = new AtomicLong(-1);
        LoadResult r = new LoadRunner(2, 200, null)
                .run(calls::incrementAndGet, 1, 1, null, () -> callsAtMeasureStart.set(calls.get()));
        // the warm-up ran calls before the hook; the result counts those made after it
        assertThat(callsAtMeasureStart.get()).isPositive();
        assertThat(r.calls()).isLessThanOrEqualTo(calls.get() - callsAtMeasureStart.get());
        assertThat(r.calls()).isPositive();
    }
}
