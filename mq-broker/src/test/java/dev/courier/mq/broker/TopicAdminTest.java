package dev.courier.mq.broker;

import dev.courier.mq.broker.Authorizer.Action;
import dev.courier.mq.client.MqAdmin;
import dev.courier.mq.client.MqClient;
import dev.courier.mq.client.MqException;
import dev.courier.mq.client.protocol.BrokerService;
import dev.courier.mq.client.protocol.CreateTopicRequest;
import dev.courier.mq.client.protocol.Delivery;
import dev.courier.mq.client.protocol.FetchRequest;
import dev.courier.mq.client.protocol.PublishRequest;
import dev.courier.mq.client.protocol.StartPosition;
import dev.courier.mq.client.protocol.SubscribeRequest;
import dev.courier.mq.client.protocol.SubscriptionInfo;
import dev.courier.mq.client.protocol.TopicInfo;
import dev.courier.rpc.Authenticator;
import dev.courier.rpc.PermissionDeniedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Topic and subscription admin through {@link MqClient#admin()}: lists, creates, deletes, seeks, purges. */
class TopicAdminTest {

    @TempDir
    Path dir;

    private Broker broker;
    private final List<MqClient> clients = new ArrayList<>();

    @AfterEach
    void close() {
        clients.forEach(MqClient::close);
        if (broker != null) {
            broker.close();
        }
    }

    private Broker start() throws Exception {
        broker = Broker.start(BrokerConfig.builder(dir).build(), "127.0.0.1", 0);
        return broker;
    }

    private void restart() throws Exception {
        clients.forEach(MqClient::close);
        clients.clear();
        broker.close();
        start();
    }

    private MqClient client(String token) {
        MqClient c = MqClient.connect("127.0.0.1:" + broker.port(), Duration.ofSeconds(10), null, token);
        clients.add(c);
        return c;
    }

    private static long[] publish(BrokerService b, String topic, int count) throws Exception {
        List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            payloads.add(("m" + i).getBytes());
        }
        return b.publish(new PublishRequest(topic, 0, 0, payloads))
                .get(10, TimeUnit.SECONDS)
                .offsets();
    }

    private static List<Delivery> fetch(BrokerService b, String topic, String subscription, String consumer)
            throws Exception {
        return b.fetch(new FetchRequest(topic, subscription, consumer, 100, 100, 0, 30_000))
                .get(10, TimeUnit.SECONDS)
                .messages();
    }

    @Test
    void topicsAreListedByNameWithEachSubscriptionsLag() throws Exception {
        start();
        MqClient c = client(null);
        BrokerService b = c.broker();
        publish(b, "orders", 10);
        b.subscribe(new SubscribeRequest("orders", "billing", StartPosition.EARLIEST));
        b.subscribe(new SubscribeRequest("orders", "audit", StartPosition.LATEST));
        publish(b, "archive", 1);
        publish(b, "orders", 2);

        List<TopicInfo> topics = c.admin().topics();

        assertThat(topics).extracting(TopicInfo::name).containsExactly("archive", "orders");
        TopicInfo orders = topics.get(1);
        assertThat(orders.startOffset()).isZero();
        assertThat(orders.endOffset()).isEqualTo(12);
        assertThat(orders.diskBytes()).isPositive();
        assertThat(orders.subscriptions()).extracting(SubscriptionInfo::name).containsExactly("audit", "billing");
        assertThat(orders.subscriptions()).extracting(SubscriptionInfo::lag).containsExactly(2L, 12L);
        assertThat(c.admin().topic("orders")).contains(orders);
        assertThat(c.admin().topic("nothing")).isEmpty();
    }

    @Test
    void aTopicCreatedWithItsRetentionKeepsItAcrossARestart() throws Exception {
        start();
        MqAdmin admin = client(null).admin();

        assertThat(admin.createTopic("events", 1 << 20, 3_600_000)).isTrue();
        assertThat(admin.createTopic("events")).as("it exists").isFalse();
        assertThat(admin.createTopic("plain")).isTrue();
        // one limit given for a topic that exists: the other stays as it is
        assertThat(admin.createTopic(new CreateTopicRequest("events", null, 7_200_000L)))
                .isFalse();
        assertThatThrownBy(() -> admin.createTopic("bad", -5, -1))
                .isInstanceOf(MqException.class)
                .hasMessageContaining("-5");
        assertThatThrownBy(() -> admin.createTopic("../etc")).isInstanceOf(MqException.class);
        assertThat(admin.topic("bad")).as("a refused request creates nothing").isEmpty();

        restart();
        TopicInfo events = client(null).admin().topic("events").orElseThrow();
        assertThat(events.retentionBytes()).isEqualTo(1 << 20);
        assertThat(events.retentionMillis()).isEqualTo(7_200_000);
        assertThat(client(null).admin().topic("plain").orElseThrow().retentionBytes())
                .as("the broker's configuration")
                .isEqualTo(broker.config().logFor("plain").retentionBytes());
    }

    @Test
    void seekingToAnOffsetOrATimeReplaysFromThereAndIsRefusedWhileAConsumerIsAttached() throws Exception {
        start();
        MqClient c = client(null);
        BrokerService b = c.broker();
        MqAdmin admin = c.admin();
        publish(b, "orders", 5);
        List<Delivery> first = fetch(b, "orders", "billing", "consumer-1");
        assertThat(first).hasSize(5);
        b.ack(new dev.courier.mq.client.protocol.AckRequest(
                        "orders",
                        "billing",
                        "consumer-1",
                        first.stream().mapToLong(Delivery::offset).toArray()))
                .get(10, TimeUnit.SECONDS);

        assertThatThrownBy(() -> admin.seek("orders", "billing", 0))
                .isInstanceOf(MqException.class)
                .hasMessageContaining("consumers are attached");
        b.detach("orders", "billing", "consumer-1");

        assertThat(admin.seek("orders", "billing", 2)).isEqualTo(2);
        assertThat(fetch(b, "orders", "billing", "consumer-2"))
                .extracting(Delivery::offset)
                .containsExactly(2L, 3L, 4L);
        b.detach("orders", "billing", "consumer-2");

        // a second batch stored strictly later than the first: a seek to its time starts at its first offset
        long lastOfFirst = first.get(4).timestamp();
        await().atMost(Duration.ofSeconds(5)).until(() -> System.currentTimeMillis() > lastOfFirst);
        long[] second = publish(b, "orders", 3);
        assertThat(admin.seek("orders", "billing", Instant.ofEpochMilli(lastOfFirst + 1)))
                .isEqualTo(second[0]);
        assertThat(admin.seek("orders", "billing", Instant.ofEpochMilli(lastOfFirst)))
                .as("the first message stored at or after the time")
                .isLessThan(second[0]);
        assertThat(admin.seek("orders", "billing", 1_000))
                .as("clamped to the log's end")
                .isEqualTo(8);
        assertThatThrownBy(() -> admin.seek("orders", "nobody", 0))
                .isInstanceOf(MqException.class)
                .hasMessageContaining("No subscription nobody");
    }

    @Test
    void aPurgeAcknowledgesTheBacklogHeldMessagesToo() throws Exception {
        start();
        MqClient c = client(null);
        BrokerService b = c.broker();
        publish(b, "orders", 6);
        assertThat(fetch(b, "orders", "billing", "consumer-1")).hasSize(6);
        publish(b, "orders", 4);

        assertThat(c.admin().purge("orders", "billing")).isEqualTo(10);

        assertThat(b.stats("orders", "billing").backlog()).isZero();
        assertThat(b.stats("orders", "billing").ackFloor()).isEqualTo(10);
        assertThat(c.admin().purge("orders", "billing")).isZero();
    }

    @Test
    void aDeletedSubscriptionLosesItsCursorAndStaysGoneAfterARestart() throws Exception {
        start();
        MqClient c = client(null);
        BrokerService b = c.broker();
        MqAdmin admin = c.admin();
        publish(b, "orders", 3);
        assertThat(fetch(b, "orders", "billing", "consumer-1")).hasSize(3);
        b.subscribe(new SubscribeRequest("orders", "audit", StartPosition.EARLIEST));
        Path subscriptions = dir.resolve("topics").resolve("orders").resolve("subscriptions");
        assertThat(subscriptions.resolve("billing.cursor")).exists();

        assertThatThrownBy(() -> admin.deleteSubscription("orders", "billing"))
                .isInstanceOf(MqException.class)
                .hasMessageContaining("consumers are attached");
        assertThat(b.stats("orders", "billing"))
                .as("a refused delete changes nothing")
                .isNotNull();
        b.detach("orders", "billing", "consumer-1");

        assertThat(admin.deleteSubscription("orders", "billing")).isTrue();
        assertThat(admin.deleteSubscription("orders", "billing")).isFalse();
        assertThat(admin.deleteSubscription("nothing", "billing")).isFalse();
        assertThat(b.stats("orders", "billing")).isNull();
        try (Stream<Path> files = Files.list(subscriptions)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("billing"));
        }

        restart();
        MqClient after = client(null);
        assertThat(after.admin().topic("orders").orElseThrow().subscriptions())
                .extracting(SubscriptionInfo::name)
                .containsExactly("audit");
        // a subscription of the same name starts afresh: from the earliest message, nothing acknowledged
        assertThat(fetch(after.broker(), "orders", "billing", "consumer-2")).hasSize(3);
    }

    @Test
    void aDeletedTopicIsGoneWithItsFiles() throws Exception {
        start();
        MqClient c = client(null);
        publish(c.broker(), "orders", 2);

        assertThat(c.admin().deleteTopic("orders")).isTrue();
        assertThat(c.admin().deleteTopic("orders")).isFalse();

        assertThat(c.admin().topics()).isEmpty();
        assertThat(dir.resolve("topics").resolve("orders")).doesNotExist();
    }

    @Test
    void adminCallsNeedAdminOnTheTopicWhichConsumingDoesNotGrant() throws Exception {
        TopicAcl rules = TopicAcl.builder()
                .allow(Action.PUBLISH, "orders", "shop")
                .allow(Action.CREATE, "*", "shop")
                .allow(Action.CONSUME, "orders", "billing")
                .allow(Action.ADMIN, "*", "ops")
                .build();
        broker = Broker.start(
                BrokerConfig.builder(dir).build(),
                "127.0.0.1",
                0,
                new BrokerSecurity(
                        null,
                        Authenticator.tokens(Map.of("tok-shop", "shop", "tok-billing", "billing", "tok-ops", "ops")),
                        rules));
        publish(client("tok-shop").broker(), "orders", 4);
        BrokerService billing = client("tok-billing").broker();
        assertThat(fetch(billing, "orders", "billing", "consumer-1")).hasSize(4);
        billing.detach("orders", "billing", "consumer-1");
        MqAdmin billingAdmin = client("tok-billing").admin();
        MqAdmin ops = client("tok-ops").admin();

        // a consumer reads its own subscription's state, and nothing more
        assertThat(billing.stats("orders", "billing").backlog()).isEqualTo(4);
        assertThat(billingAdmin.topics()).isEmpty();
        assertThatThrownBy(() -> billingAdmin.topic("orders")).isInstanceOf(PermissionDeniedException.class);
        assertThatThrownBy(() -> billingAdmin.purge("orders", "billing")).isInstanceOf(PermissionDeniedException.class);
        assertThatThrownBy(() -> billingAdmin.seek("orders", "billing", 0))
                .isInstanceOf(PermissionDeniedException.class);
        assertThatThrownBy(() -> billingAdmin.deleteSubscription("orders", "billing"))
                .isInstanceOf(PermissionDeniedException.class);
        assertThatThrownBy(() -> billingAdmin.deleteTopic("orders")).isInstanceOf(PermissionDeniedException.class);
        assertThatThrownBy(() -> billingAdmin.createTopic("new")).isInstanceOf(PermissionDeniedException.class);
        assertThat(billing.stats("orders", "billing").backlog())
                .as("nothing changed")
                .isEqualTo(4);

        // shop may create topics and choose their settings, not change an existing topic's
        MqAdmin shop = client("tok-shop").admin();
        assertThat(shop.createTopic("invoices", -1, 60_000)).isTrue();
        assertThatThrownBy(() -> shop.createTopic("orders", -1, 60_000)).isInstanceOf(PermissionDeniedException.class);

        assertThat(ops.topics()).extracting(TopicInfo::name).containsExactly("invoices", "orders");
        assertThat(ops.purge("orders", "billing")).isEqualTo(4);
        assertThat(ops.deleteSubscription("orders", "billing")).isTrue();
        assertThat(ops.deleteTopic("invoices")).isTrue();
    }
}
