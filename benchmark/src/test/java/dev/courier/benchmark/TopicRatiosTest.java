package dev.courier.benchmark;

import dev.courier.benchmark.report.Result;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TopicRatiosTest {

    private static Result run(int topics, double throughput) {
        return new Result("courier", "publish-1024B-topics-" + topics, 1024, 256, throughput, 1, 2, 3, 4, 5, 0, 1)
                .with(Map.of("topics", Integer.toString(topics)));
    }

    @Test
    void eachCountIsComparedWithOneTopic() {
        assertThat(MqBench.topicRatios(List.of(run(1, 80_000), run(100, 72_000), run(1000, 20_000))))
                .containsExactly("TOPICS topics=100 vs_one_topic=0.90", "TOPICS topics=1000 vs_one_topic=0.25");
        assertThat(MqBench.topicRatios(List.of(run(100, 72_000))))
                .as("no one-topic run")
                .isEmpty();
    }
}
