package dev.courier.mq.broker;

import dev.courier.mq.broker.storage.FsyncPolicy;
import dev.courier.mq.broker.storage.LogConfig;
import dev.courier.mq.broker.testing.Threads;
import dev.courier.mq.client.MqClient;
import dev.courier.mq.client.protocol.PublishRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The broker's threads do not grow with its topics: group-commit flushes, and with {@code fsync=always} the
 * forcing appends, share one pool. Nor do its open files with its idle subscriptions.
 */
class BrokerThreadsTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(
            value = FsyncPolicy.class,
            names = {"GROUP", "ALWAYS"})
    void twoHundredTopicsPublishingAtOnceShareTheFlushers(FsyncPolicy fsync) throws Exception {
        BrokerConfig config = BrokerConfig.builder(dir)
                .log(LogConfig.builder().fsync(fsync).build())
                .build();
        try (Broker broker = EmbeddedBroker.start(config);
                MqClient client = MqClient.connect("127.0.0.1:" + broker.port())) {
            List<CompletableFuture<?>> sends = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < 200; i++) {
                    sends.add(client.broker()
                            .publish(new PublishRequest("t" + i, 0, 0, List.of(("m" + round).getBytes()))));
                }
            }
            CompletableFuture.allOf(sends.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);

            assertThat(client.admin().topics()).hasSize(200);
            assertThat(Threads.named("courier-flusher-"))
                    .as("flushers are a shared pool, not a thread per topic")
                    .isBetween(1L, (long) dev.courier.mq.broker.internal.TopicsAccess.flusherThreads());
            assertThat(Threads.named("courier-append-"))
                    .as("no appender thread per topic")
                    .isZero();
            assertThat(client.admin().topic("t199").orElseThrow().endOffset()).isEqualTo(3);
        }
        // The pool has terminated when close() returns, but a worker that has left its last task is still
        // alive until its run() returns: wait for that, bounded.
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(Threads.named("courier-flusher-"))
                        .as("and they end with the broker")
                        .isZero());
    }

    @Test
    void idleSubscriptionsHoldNoOpenFile() throws Exception {
        dev.courier.mq.broker.testing.CountingStorage storage = new dev.courier.mq.broker.testing.CountingStorage();
        BrokerConfig config = BrokerConfig.builder(dir)
                .storage(storage)
                .housekeeping(java.time.Duration.ofMillis(2))
                .build();
        int topics = 40;
        try (Broker broker = EmbeddedBroker.start(config);
                MqClient client = MqClient.connect("127.0.0.1:" + broker.port())) {
            for (int i = 0; i < topics; i++) {
                client.broker()
                        .subscribe(new dev.courier.mq.client.protocol.SubscribeRequest(
                                "t" + i, "s", dev.courier.mq.client.protocol.StartPosition.EARLIEST));
                client.broker()
                        .publish(new PublishRequest("t" + i, 0, 0, List.of("m".getBytes())))
                        .get(10, TimeUnit.SECONDS);
                var got = client.broker()
                        .fetch(new dev.courier.mq.client.protocol.FetchRequest("t" + i, "s", "c", 1, 1, 0, 60_000))
                        .get(10, TimeUnit.SECONDS)
                        .messages();
                assertThat(got).hasSize(1);
                client.broker()
                        .ack(new dev.courier.mq.client.protocol.AckRequest(
                                "t" + i, "s", "c", new long[] {got.get(0).offset()}))
                        .get(10, TimeUnit.SECONDS);
            }
            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(storage.openFiles().get())
                            .as("the segments only")
                            .isEqualTo(topics));
            assertThat(broker.stats("t7", "s").backlog()).isZero();
        }
        try (Broker broker = EmbeddedBroker.start(config)) {
            assertThat(broker.stats("t7", "s").backlog())
                    .as("the acks were kept")
                    .isZero();
            assertThat(storage.openFiles().get())
                    .as("and a restart opens no cursor")
                    .isEqualTo(topics);
        }
    }
}
