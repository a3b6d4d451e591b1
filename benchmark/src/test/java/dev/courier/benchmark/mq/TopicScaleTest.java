package dev.courier.benchmark.mq;

import dev.courier.mq.broker.Broker;
import dev.courier.mq.broker.EmbeddedBroker;
import dev.courier.mq.client.MqClient;
import dev.courier.mq.client.protocol.TopicInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.LongSummaryStatistics;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code bench mq --topics}: the run spreads its publishes over every topic and reports its figures. */
class TopicScaleTest {

    @TempDir
    Path dir;

    @Test
    void publishesEvenlyOverEveryTopicWithAnIdleSubscriptionEachAndReportsItsFigures() throws Exception {
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        TopicScale.Figures f =
                TopicScale.run(20, new byte[64], 8, 0, 1, dir, new PrintStream(progress, true, StandardCharsets.UTF_8));

        assertThat(f.publish().errors()).isZero();
        assertThat(f.publish().calls()).isPositive();
        assertThat(f.fields())
                .containsEntry("topics", "20")
                .containsKeys("threads", "heap_mb", "heap_per_topic_kib", "heap_per_subscription_kib", "startup_ms");
        assertThat(f.threads()).isPositive();

        try (Broker broker = EmbeddedBroker.start(dir);
                MqClient client = MqClient.connect("127.0.0.1:" + broker.port())) {
            List<TopicInfo> topics = client.admin().topics();
            assertThat(topics).hasSize(20).allMatch(t -> t.subscriptions().size() == 1);
            LongSummaryStatistics stored =
                    topics.stream().mapToLong(TopicInfo::endOffset).summaryStatistics();
            assertThat(stored.getSum())
                    .as("every measured publish is stored")
                    .isGreaterThanOrEqualTo(f.publish().calls());
            assertThat(stored.getMax() - stored.getMin())
                    .as("round robin over the topics")
                    .isLessThanOrEqualTo(1);
        }
    }
}
