package dev.courier.mq.broker;

import dev.courier.mq.broker.storage.LogConfig;
import dev.courier.mq.broker.testing.ForwardingStorage;
import dev.courier.mq.client.protocol.AckRequest;
import dev.courier.mq.client.protocol.BrokerService;
import dev.courier.mq.client.protocol.FetchRequest;
import dev.courier.mq.client.protocol.PublishRequest;
import dev.courier.mq.client.protocol.StartPosition;
import dev.courier.mq.client.protocol.SubscribeRequest;
import dev.courier.rpc.RpcClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The broker's background jobs under storage faults. */
class HousekeepingFaultTest {

    @TempDir
    Path dir;

    private static long segments(Path topicDir) throws IOException {
        try (Stream<Path> s = Files.list(topicDir)) {
            return s.filter(p -> p.toString().endsWith(".log")).count();
        }
    }

    @Test
    void oneTopicWhoseRetentionFailsDoesNotStopTheOthers() throws Exception {
        Path topics = dir.resolve("topics");
        ForwardingStorage storage = new ForwardingStorage() {
            @Override
            protected void beforeDelete(Path file) throws IOException {
                if (file.startsWith(topics.resolve("a"))) {
                    throw new IOException("injected EIO deleting " + file);
                }
            }
        };
        LogConfig log =
                LogConfig.builder().segmentBytes(1024).retentionMillis(0).build();
        BrokerConfig config = BrokerConfig.builder(dir)
                .storage(storage)
                .log(log)
                .housekeeping(Duration.ofMillis(20))
                .build();
        try (Broker broker = EmbeddedBroker.start(config);
                RpcClient rpc = RpcClient.builder().build()) {
            BrokerService svc = rpc.reference(BrokerService.class)
                    .address("127.0.0.1", broker.port())
                    .timeout(Duration.ofSeconds(10))
                    .build();
            for (int i = 0; i < 12; i++) {
                for (String t : List.of("a", "b")) { // "a" comes first in the broker's topic table
                    svc.publish(new PublishRequest(t, 0, 0, List.of(new byte[300])))
                            .get(5, TimeUnit.SECONDS);
                }
            }
            long aSegments = segments(topics.resolve("a"));
            await().atMost(Duration.ofSeconds(10)).until(() -> segments(topics.resolve("b")) == 1);
            assertThat(aSegments).isGreaterThan(1);
            assertThat(segments(topics.resolve("a")))
                    .as("a's deletes keep failing; nothing of it goes")
                    .isEqualTo(aSegments);
            assertThat(broker.stats("a", "none")).isNull();
        }
    }

    @Test
    void shutdownNeverInterruptsAThreadInsideAFileCall() throws Exception {
        CountDownLatch inForce = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        AtomicBoolean armed = new AtomicBoolean();
        ForwardingStorage storage = new ForwardingStorage() {
            @Override
            protected void beforeForce(Path file) {
                if (armed.get()
                        && file.toString().endsWith(".cursor")
                        && Thread.currentThread().getName().startsWith("courier-broker-timer")) {
                    armed.set(false);
                    inForce.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        interrupted.set(true);
                    }
                }
            }
        };
        BrokerConfig config = BrokerConfig.builder(dir)
                .storage(storage)
                .housekeeping(Duration.ofMillis(20))
                .build();
        Broker broker = EmbeddedBroker.start(config);
        Thread closer = new Thread(broker::close, "closer");
        try (RpcClient rpc = RpcClient.builder().build()) {
            BrokerService svc = rpc.reference(BrokerService.class)
                    .address("127.0.0.1", broker.port())
                    .timeout(Duration.ofSeconds(10))
                    .build();
            svc.subscribe(new SubscribeRequest("t", "s", StartPosition.EARLIEST));
            svc.publish(new PublishRequest("t", 0, 0, List.of(new byte[10]))).get(5, TimeUnit.SECONDS);
            long offset = svc.fetch(new FetchRequest("t", "s", "c", 1, 1, 0, 60_000))
                    .get(5, TimeUnit.SECONDS)
                    .messages()
                    .get(0)
                    .offset();
            armed.set(true);
            svc.ack(new AckRequest("t", "s", "c", new long[] {offset})).get(5, TimeUnit.SECONDS); // a cursor to force
            assertThat(inForce.await(10, TimeUnit.SECONDS)).isTrue();
            closer.start();
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> !interrupted.get());
        } finally {
            release.countDown();
            closer.join(20_000);
            broker.close();
        }
        assertThat(interrupted).isFalse();
    }
}
