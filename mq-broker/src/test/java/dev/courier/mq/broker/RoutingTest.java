package dev.courier.mq.broker;

import dev.courier.mq.client.Message;
import dev.courier.mq.client.MessageId;
import dev.courier.mq.client.MqClient;
import dev.courier.mq.client.Producer;
import dev.courier.mq.client.SubscribeOptions;
import dev.courier.mq.client.protocol.Delivery;
import dev.courier.mq.client.protocol.FetchRequest;
import dev.courier.mq.client.protocol.StartPosition;
import dev.courier.mq.client.protocol.SubscribeRequest;
import dev.courier.mq.client.protocol.SubscriptionSpec;
import dev.courier.rpc.RemoteException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Subscriptions with a key or header filter: what they take, their backlog, and the spec across restarts. */
class RoutingTest {

    @TempDir
    Path dir;

    private Broker broker;
    private MqClient client;

    @AfterEach
    void close() {
        if (client != null) {
            client.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private void start() throws Exception {
        broker = Broker.start(BrokerConfig.builder(dir).build(), "127.0.0.1", 0);
        client = MqClient.connect("127.0.0.1:" + broker.port());
    }

    private void restart() throws Exception {
        client.close();
        broker.close();
        start();
    }

    private void publish(String topic, String key, String kind, String body) throws Exception {
        client.producer(topic)
                .newMessage()
                .key(key)
                .header("kind", kind)
                .payload(body.getBytes())
                .send()
                .get(10, TimeUnit.SECONDS);
    }

    private static final SubscriptionSpec EU_PAID = new SubscriptionSpec("orders.*.eu", Map.of("kind", "paid"), false);

    @Test
    void onlyMatchingMessagesReachTheConsumersAndTheRestIsNoBacklog() throws Exception {
        start();
        client.broker().subscribe(new SubscribeRequest("orders", "eu-billing", StartPosition.EARLIEST, EU_PAID));
        publish("orders", "orders.books.eu", "paid", "1");
        publish("orders", "orders.books.us", "paid", "no: us");
        publish("orders", "orders.books.eu", "refund", "no: refund");
        publish("orders", "orders.eu", "paid", "no: one word short");
        publish("orders", "orders.toys.eu", "paid", "2");
        client.producer("orders").send("no: no key".getBytes()).get(10, TimeUnit.SECONDS);

        // with no consumer attached the subscription settles what it will never take
        await().atMost(10, TimeUnit.SECONDS)
                .untilAsserted(
                        () -> assertThat(broker.stats("orders", "eu-billing").backlog())
                                .isEqualTo(2));

        List<Message> got = new CopyOnWriteArrayList<>();
        client.subscribe(
                "orders",
                "eu-billing",
                SubscribeOptions.defaults().keyFilter("orders.*.eu").headerFilter("kind", "paid"),
                got::add);
        await().atMost(10, TimeUnit.SECONDS).until(() -> got.size() >= 2);
        assertThat(got).extracting(m -> new String(m.payload())).containsExactly("1", "2");
        await().atMost(10, TimeUnit.SECONDS)
                .until(() -> broker.stats("orders", "eu-billing").backlog() == 0);
    }

    @Test
    void aFetchReadsPastManyRefusedMessagesToTheNextMatch() throws Exception {
        start();
        client.broker().subscribe(new SubscribeRequest("orders", "eu-billing", StartPosition.EARLIEST, EU_PAID));
        Producer p = client.producer("orders");
        List<CompletableFuture<MessageId>> sends = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            sends.add(p.newMessage()
                    .key("orders.x.us")
                    .header("kind", "paid")
                    .payload(new byte[10])
                    .send());
        }
        CompletableFuture.allOf(sends.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
        publish("orders", "orders.x.eu", "paid", "the one");

        List<Delivery> got = client.broker()
                .fetch(new FetchRequest("orders", "eu-billing", "c1", 1, 1, 5_000, 30_000))
                .get(10, TimeUnit.SECONDS)
                .messages();

        assertThat(got).extracting(d -> new String(d.payload())).containsExactly("the one");
        assertThat(got.get(0).offset()).isEqualTo(5000);
    }

    @Test
    void theSpecIsStoredWithTheSubscriptionAndAnotherOneIsRefused() throws Exception {
        start();
        client.broker().subscribe(new SubscribeRequest("orders", "eu-billing", StartPosition.EARLIEST, EU_PAID));
        restart();
        publish("orders", "orders.books.us", "paid", "no");
        publish("orders", "orders.books.eu", "paid", "yes");

        assertThat(client.admin().topic("orders").orElseThrow().subscriptions())
                .singleElement()
                .satisfies(info -> assertThat(info.spec()).isEqualTo(EU_PAID));
        // a fetch (no spec) takes the subscription as it is
        List<Delivery> got = client.broker()
                .fetch(new FetchRequest("orders", "eu-billing", "c1", 10, 10, 5_000, 30_000))
                .get(10, TimeUnit.SECONDS)
                .messages();
        assertThat(got).extracting(d -> new String(d.payload())).containsExactly("yes");
        assertThatThrownBy(() -> client.broker()
                        .subscribe(new SubscribeRequest(
                                "orders", "eu-billing", StartPosition.EARLIEST, SubscriptionSpec.PLAIN)))
                .isInstanceOf(RemoteException.class)
                .hasMessageContaining("IllegalStateException")
                .hasMessageContaining("delete it to change that");
        assertThat(client.broker()
                        .subscribe(new SubscribeRequest("orders", "eu-billing", StartPosition.EARLIEST, EU_PAID))
                        .backlog())
                .isEqualTo(1);
    }

    @Test
    void aConsumerAskingForOtherFiltersIsRefusedAtOnce() throws Exception {
        start();
        client.broker().subscribe(new SubscribeRequest("orders", "s", StartPosition.EARLIEST, EU_PAID));

        assertThatThrownBy(() -> client.subscribe(
                        "orders", "s", SubscribeOptions.defaults().keyFilter("orders.#"), m -> {}))
                .isInstanceOf(dev.courier.mq.client.MqException.class)
                .hasMessageContaining("delete it to change that");
        assertThatThrownBy(() -> client.subscribe(
                        "orders", "t", SubscribeOptions.defaults().keyFilter("orders.e*"), m -> {}))
                .isInstanceOf(dev.courier.mq.client.MqException.class)
                .hasMessageContaining("whole words");
        assertThat(broker.stats("orders", "s").consumers()).isZero();
    }

    @Test
    void deletingTheSubscriptionDeletesItsSpec() throws Exception {
        start();
        client.broker().subscribe(new SubscribeRequest("orders", "s", StartPosition.EARLIEST, EU_PAID));
        Path spec =
                dir.resolve("topics").resolve("orders").resolve("subscriptions").resolve("s.spec");
        assertThat(spec).exists();
        publish("orders", "orders.books.us", "paid", "us");

        assertThat(client.admin().deleteSubscription("orders", "s")).isTrue();

        assertThat(Files.exists(spec)).isFalse();
        List<Delivery> got = client.broker()
                .fetch(new FetchRequest("orders", "s", "c1", 10, 10, 5_000, 30_000))
                .get(10, TimeUnit.SECONDS)
                .messages();
        assertThat(got).extracting(d -> new String(d.payload())).containsExactly("us");
        restart();
        assertThat(client.broker().stats("orders", "s").backlog()).isEqualTo(1);
    }

    @Test
    void aBadFilterIsRefusedAndCreatesNothing() throws Exception {
        start();

        assertThatThrownBy(() -> client.broker()
                        .subscribe(new SubscribeRequest(
                                "orders", "s", StartPosition.EARLIEST, new SubscriptionSpec("orders.e*", null, false))))
                .isInstanceOf(RemoteException.class)
                .hasMessageContaining("whole words");
        assertThat(client.broker().stats("orders", "s")).isNull();
    }
}
