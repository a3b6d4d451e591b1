package dev.courier.benchmark;

import dev.courier.benchmark.report.Result;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MqBenchTest {

    private static Result result(String system, String scenario, double throughput) {
        return new Result(system, scenario, 1024, 256, throughput, 1, 2, 3, 4, 5, 0, 1.0);
    }

    @Test
    void limitLineIsCourierOverTheDiskPerScenario() {
        List<Result> results = List.of(
                result("courier", "publish-1024B", 60_000),
                result("disk-limit", "publish-1024B", 150_000),
                result("courier", "other", 10));

        assertThat(MqBench.limits(results)).containsExactly("LIMIT scenario=publish-1024B courier_vs_limit=0.40");
        assertThat(Result.ratios(results)).as("the disk is not a peer").isEmpty();
    }
}
