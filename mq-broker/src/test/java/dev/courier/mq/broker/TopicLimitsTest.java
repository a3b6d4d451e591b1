package dev.courier.mq.broker;

import dev.courier.mq.client.MqClient;
import dev.courier.mq.client.protocol.BrokerService;
import dev.courier.mq.client.protocol.Delivery;
import dev.courier.mq.client.protocol.FetchRequest;
import dev.courier.mq.client.protocol.NackRequest;
import dev.courier.mq.client.protocol.PublishRequest;
import dev.courier.mq.client.protocol.StartPosition;
import dev.courier.mq.client.protocol.SubscribeRequest;
import dev.courier.rpc.Authenticator;
import dev.courier.rpc.PermissionDeniedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The topic and subscription limits: per principal, in all, kept across a restart, and never in the
 * way of a dead letter.
 */
class TopicLimitsTest {

    @TempDir
    Path data;

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private <T extends AutoCloseable> T owned(T resource) {
        resources.add(resource);
        return resource;
    }

    private Broker broker(BrokerConfig.Limits limits, int maxDeliveries) throws Exception {
        BrokerConfig config = BrokerConfig.builder(data)
                .limits(limits)
                .maxDeliveries(maxDeliveries)
                .build();
        return owned(Broker.start(
                config,
                "127.0.0.1",
                0,
                new BrokerSecurity(
                        null,
                        Authenticator.tokens(Map.of("alice-token", "alice", "bob-token", "bob")),
                        Authorizer.allowAll())));
    }

    private BrokerService as(Broker broker, String token) {
        return owned(MqClient.connect("127.0.0.1:" + broker.port(), Duration.ofSeconds(10), null, token))
                .broker();
    }

    private static void publish(BrokerService svc, String topic) throws Exception {
        svc.publish(new PublishRequest(topic, 0, 0, List.of("m".getBytes()))).get(10, TimeUnit.SECONDS);
    }

    /** What a publish to {@code topic} fails with. */
    private static Throwable refusedPublish(BrokerService svc, String topic) throws Exception {
        return failure(svc.publish(new PublishRequest(topic, 0, 0, List.of("m".getBytes()))));
    }

    private static Throwable failure(CompletableFuture<?> f) throws Exception {
        try {
            f.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected the call to fail");
    }

    @Test
    void aPrincipalCreatesNoMoreTopicsThanItsLimitAndOthersAreUnaffected() throws Exception {
        Broker broker = broker(new BrokerConfig.Limits(100, 2, 100), 16);
        BrokerService alice = as(broker, "alice-token");
        BrokerService bob = as(broker, "bob-token");
        publish(alice, "a1");
        publish(alice, "a2");

        assertThat(refusedPublish(alice, "a3"))
                .isInstanceOf(PermissionDeniedException.class)
                .hasMessageContaining("Principal 'alice' may not create topic 'a3'")
                .hasMessageContaining("max.topics.per.principal");
        assertThatThrownBy(() -> alice.subscribe(new SubscribeRequest("a3", "s", StartPosition.EARLIEST)))
                .isInstanceOf(PermissionDeniedException.class);
        assertThat(broker.stats("a3", "s")).isNull();

        publish(alice, "a1"); // topics that exist take more messages
        publish(bob, "a1");
        publish(bob, "b1");
        publish(bob, "a3");
    }

    @Test
    void theBrokerHoldsNoMoreTopicsThanItsTotalLimit() throws Exception {
        Broker broker = broker(new BrokerConfig.Limits(2, 100, 100), 16);
        BrokerService alice = as(broker, "alice-token");
        BrokerService bob = as(broker, "bob-token");
        publish(alice, "t1");
        publish(bob, "t2");

        assertThat(refusedPublish(bob, "t3"))
                .isInstanceOf(PermissionDeniedException.class)
                .hasMessageContaining("max.topics");
        publish(bob, "t1");
    }

    @Test
    void aPrincipalCreatesNoMoreSubscriptionsThanItsLimitBySubscribeOrByFetch() throws Exception {
        Broker broker = broker(new BrokerConfig.Limits(100, 100, 2), 16);
        BrokerService alice = as(broker, "alice-token");
        BrokerService bob = as(broker, "bob-token");
        publish(alice, "t");
        alice.subscribe(new SubscribeRequest("t", "s1", StartPosition.EARLIEST));
        alice.fetch(new FetchRequest("t", "s2", "c1", 10, 10, 0, 30_000)).get(10, TimeUnit.SECONDS);

        assertThatThrownBy(() -> alice.subscribe(new SubscribeRequest("t", "s3", StartPosition.EARLIEST)))
                .isInstanceOf(PermissionDeniedException.class)
                .hasMessageContaining("may not create subscription 's3'")
                .hasMessageContaining("max.subscriptions.per.principal");
        assertThat(failure(alice.fetch(new FetchRequest("t", "s4", "c1", 10, 10, 0, 30_000))))
                .isInstanceOf(PermissionDeniedException.class);
        assertThat(broker.stats("t", "s3")).isNull();
        assertThat(broker.stats("t", "s4")).isNull();

        alice.subscribe(new SubscribeRequest("t", "s1", StartPosition.EARLIEST)); // an existing one is no creation
        bob.subscribe(new SubscribeRequest("t", "s3", StartPosition.EARLIEST));
    }

    @Test
    void whoCreatedWhatIsKeptAcrossARestart() throws Exception {
        BrokerConfig.Limits limits = new BrokerConfig.Limits(100, 2, 1);
        Broker first = broker(limits, 16);
        BrokerService alice = as(first, "alice-token");
        publish(alice, "a1");
        publish(alice, "a2");
        alice.subscribe(new SubscribeRequest("a1", "s1", StartPosition.EARLIEST));
        closeAll();
        resources.clear();

        Broker second = broker(limits, 16);
        BrokerService again = as(second, "alice-token");
        assertThat(refusedPublish(again, "a3"))
                .isInstanceOf(PermissionDeniedException.class)
                .hasMessageContaining("it created 2 topics");
        assertThatThrownBy(() -> again.subscribe(new SubscribeRequest("a1", "s2", StartPosition.EARLIEST)))
                .isInstanceOf(PermissionDeniedException.class)
                .hasMessageContaining("it created 1 subscriptions");
        publish(as(second, "bob-token"), "b1");
    }

    @Test
    void aDeadLetterIsNeverRefusedForWantOfRoom() throws Exception {
        Broker broker = broker(new BrokerConfig.Limits(1, 1, 1), 1);
        BrokerService alice = as(broker, "alice-token");
        publish(alice, "orders");
        List<Delivery> got = alice.fetch(new FetchRequest("orders", "billing", "c1", 10, 10, 1000, 30_000))
                .get(10, TimeUnit.SECONDS)
                .messages();
        assertThat(got).hasSize(1);
        alice.nack(new NackRequest(
                        "orders", "billing", "c1", new long[] {got.get(0).offset()}, 0, "poison"))
                .get(10, TimeUnit.SECONDS);

        // the broker holds its one topic, yet the dead-letter topic is created and takes the message (the
        // next fetch moves it, its one delivery spent)
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(alice.fetch(new FetchRequest("orders", "billing", "c1", 10, 10, 100, 30_000))
                            .get(10, TimeUnit.SECONDS)
                            .messages())
                    .isEmpty();
            assertThat(broker.stats("orders", "billing").deadLettered()).isEqualTo(1);
        });
        assertThat(broker.stats("orders.billing.dlq", "ops")).isNull();
        assertThat(as(broker, "bob-token")
                        .fetch(new FetchRequest("orders.billing.dlq", "ops", "c1", 10, 10, 1000, 30_000))
                        .get(10, TimeUnit.SECONDS)
                        .messages())
                .extracting(Delivery::payload)
                .containsExactly("m".getBytes());
        assertThat(refusedPublish(alice, "other"))
                .isInstanceOf(PermissionDeniedException.class)
                .hasMessageContaining("max.topics");
    }
}
