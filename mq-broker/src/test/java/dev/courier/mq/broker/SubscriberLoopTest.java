package dev.courier.mq.broker;

import dev.courier.mq.broker.testing.Threads;
import dev.courier.mq.client.MqClient;
import dev.courier.mq.client.SubscribeOptions;
import dev.courier.mq.client.Subscriber;
import dev.courier.mq.client.protocol.StartPosition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The client's fetch loop: it needs no thread of its own per subscriber, and while every message of its
 * prefetch is held by a busy handler it keeps the consumer's session with fetches of nothing.
 */
class SubscriberLoopTest {

    @TempDir
    Path dir;

    @Test
    void fiftySubscribersOfOneClientReceiveWithoutAFetchThreadEach() throws Exception {
        try (Broker broker = EmbeddedBroker.start(dir);
                MqClient client = MqClient.connect("127.0.0.1:" + broker.port())) {
            AtomicInteger received = new AtomicInteger();
            List<Subscriber> subscribers = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                subscribers.add(client.subscribe(
                        "t" + i,
                        "s",
                        SubscribeOptions.defaults().from(StartPosition.EARLIEST),
                        m -> received.incrementAndGet()));
            }
            for (int i = 0; i < 50; i++) {
                client.producer("t" + i)
                        .send("m".getBytes(StandardCharsets.UTF_8))
                        .get(10, TimeUnit.SECONDS);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> received.get() == 50);
            assertThat(Threads.named("courier-mq-fetch-")).isZero();
            assertThat(Threads.named("courier-mq-client-timer")).isEqualTo(1);
            subscribers.forEach(Subscriber::close);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> broker.stats("t0", "s").consumers() == 0);
            assertThat(broker.stats("t49", "s").backlog()).isZero();
        }
    }

    @Test
    void aHandlerBusyPastTheSessionTimeoutKeepsItsMessageAndTheSession() throws Exception {
        BrokerConfig config = BrokerConfig.builder(dir)
                .sessionTimeout(Duration.ofMillis(1200))
                .build();
        try (Broker broker = EmbeddedBroker.start(config);
                MqClient client = MqClient.connect("127.0.0.1:" + broker.port())) {
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger deliveries = new AtomicInteger();
            Subscriber s = client.subscribe(
                    "busy",
                    "s",
                    SubscribeOptions.defaults().from(StartPosition.EARLIEST).prefetch(1),
                    m -> {
                        deliveries.incrementAndGet();
                        release.await(30, TimeUnit.SECONDS);
                    });
            client.producer("busy").send("m".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10)).until(() -> deliveries.get() == 1);
            // three session timeouts with the prefetch used up: the consumer stays, its message is not redelivered
            await().during(Duration.ofMillis(3600))
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> broker.stats("busy", "s").consumers() == 1
                            && broker.stats("busy", "s").inFlight() == 1);
            release.countDown();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> broker.stats("busy", "s").backlog() == 0);
            assertThat(deliveries).hasValue(1);
            s.close();
        }
    }
}
