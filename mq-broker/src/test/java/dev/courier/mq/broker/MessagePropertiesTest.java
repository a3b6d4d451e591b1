package dev.courier.mq.broker;

import dev.courier.mq.client.Message;
import dev.courier.mq.client.MqClient;
import dev.courier.mq.client.Producer;
import dev.courier.mq.client.protocol.BrokerService;
import dev.courier.mq.client.protocol.CreateTopicRequest;
import dev.courier.mq.client.protocol.Delivery;
import dev.courier.mq.client.protocol.FetchRequest;
import dev.courier.mq.client.protocol.MessageProperties;
import dev.courier.mq.client.protocol.PublishRequest;
import dev.courier.rpc.RemoteException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Keys, headers, producer timestamps and times to live, from the producer through the log to the consumer. */
class MessagePropertiesTest {

    @TempDir
    Path dir;

    private Broker broker;
    private MqClient client;
    /** The broker's clock (epoch ms), moved by the tests. */
    private final AtomicLong now = new AtomicLong(System.currentTimeMillis());

    private UnaryOperator<BrokerConfig.Builder> settings = b -> b;

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
        BrokerConfig.Builder b = BrokerConfig.builder(dir).clock(now::get).sessionTimeout(Duration.ofHours(1));
        broker = Broker.start(settings.apply(b).build(), "127.0.0.1", 0);
        client = MqClient.connect("127.0.0.1:" + broker.port());
    }

    private void restart() throws Exception {
        client.close();
        broker.close();
        start();
    }

    private List<Delivery> fetch(String topic, String subscription) throws Exception {
        return client.broker()
                .fetch(new FetchRequest(topic, subscription, "c1", 100, 100, 0, 30_000))
                .get(10, TimeUnit.SECONDS)
                .messages();
    }

    @Test
    void keyHeadersAndTimestampReachTheConsumerAndSurviveARestart() throws Exception {
        start();
        Producer p = client.producer("orders");
        Instant placed = Instant.parse("2026-11-30T10:15:30.123Z");
        p.send("plain".getBytes()).get(10, TimeUnit.SECONDS);
        p.newMessage()
                .key("order-7")
                .header("region", "eu")
                .header("schema", "v2")
                .timestamp(placed)
                .payload("keyed".getBytes())
                .send()
                .get(10, TimeUnit.SECONDS);
        restart();

        List<Message> got = new CopyOnWriteArrayList<>();
        client.subscribe("orders", "billing", got::add);
        await().atMost(10, TimeUnit.SECONDS).until(() -> got.size() == 2);

        Message plain = got.get(0);
        assertThat(plain.key()).isNull();
        assertThat(plain.headers()).isEmpty();
        assertThat(plain.timestamp()).isEqualTo(plain.storedAt());
        Message keyed = got.get(1);
        assertThat(keyed.key()).isEqualTo("order-7");
        assertThat(keyed.headers()).containsExactly(Map.entry("region", "eu"), Map.entry("schema", "v2"));
        assertThat(keyed.timestamp()).isEqualTo(placed.toEpochMilli());
        assertThat(keyed.storedAt()).isNotEqualTo(placed.toEpochMilli());
        assertThat(new String(keyed.payload())).isEqualTo("keyed");
    }

    @Test
    void aDeadLetterKeepsTheKeyAndTheProducersHeaders() throws Exception {
        settings = b -> b.maxDeliveries(1);
        start();
        client.producer("jobs")
                .newMessage()
                .key("job-1")
                .header("tenant", "acme")
                .payload("x".getBytes())
                .send()
                .get(10, TimeUnit.SECONDS);
        Delivery d = fetch("jobs", "workers").get(0);
        client.broker()
                .nack(new dev.courier.mq.client.protocol.NackRequest(
                        "jobs", "workers", "c1", new long[] {d.offset()}, 0, "boom"))
                .get(10, TimeUnit.SECONDS);

        // past the backoff, the next fetch finds it due with no delivery left and moves it to the dead-letter topic
        now.addAndGet(Duration.ofSeconds(1).toMillis());
        List<Delivery> letters = new ArrayList<>();
        await().atMost(10, TimeUnit.SECONDS).until(() -> {
            assertThat(fetch("jobs", "workers")).isEmpty();
            letters.addAll(fetch("jobs.workers.dlq", "ops"));
            return !letters.isEmpty();
        });
        Delivery letter = letters.get(0);
        assertThat(letter.key()).isEqualTo("job-1");
        assertThat(letter.headers()).containsEntry("tenant", "acme").containsEntry("courier.failure", "boom");
    }

    @Test
    void reservedHeaderNamesAreRefusedByTheProducerAndByTheBroker() throws Exception {
        start();
        Producer p = client.producer("orders");

        assertThatThrownBy(() -> p.newMessage()
                        .header("courier.failure", "forged")
                        .payload("x".getBytes())
                        .send()
                        .get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("courier.");
        BrokerService raw = client.broker();
        PublishRequest forged = new PublishRequest(
                "orders",
                0,
                0,
                List.of("a".getBytes(), "b".getBytes()),
                List.of(
                        MessageProperties.NONE,
                        new MessageProperties(null, Map.of("courier.source.topic", "x"), 0, 0)));
        assertThatThrownBy(() -> raw.publish(forged).get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(RemoteException.class)
                .hasMessageContaining("courier.");
        assertThat(broker.stats("orders", "any")).isNull();
        assertThat(fetch("orders", "billing"))
                .as("nothing of the batch was stored")
                .isEmpty();
    }

    @Test
    void keyAndHeadersCountTowardsTheMessageSizeLimit() throws Exception {
        settings = b -> b.maxMessageBytes(1024);
        start();
        PublishRequest big = new PublishRequest(
                "orders", 0, 0, List.of(new byte[1000]), List.of(new MessageProperties("k".repeat(100), null, 0, 0)));

        assertThatThrownBy(() -> client.broker().publish(big).get(10, TimeUnit.SECONDS))
                .hasMessageContaining("1100 bytes (body, key and headers)");
        client.broker()
                .publish(new PublishRequest(
                        "orders",
                        0,
                        0,
                        List.of(new byte[1000]),
                        List.of(new MessageProperties("k".repeat(24), null, 0, 0))))
                .get(10, TimeUnit.SECONDS);
    }

    @Test
    void aMessagePastItsTimeToLiveIsDeadLetteredAsExpiredNotDelivered() throws Exception {
        start();
        Producer p = client.producer("quotes");
        p.newMessage()
                .payload("short".getBytes())
                .timeToLive(Duration.ofSeconds(5))
                .send()
                .get(10, TimeUnit.SECONDS);
        p.newMessage()
                .payload("long".getBytes())
                .timeToLive(Duration.ofMinutes(5))
                .send()
                .get(10, TimeUnit.SECONDS);
        p.send("forever".getBytes()).get(10, TimeUnit.SECONDS);
        now.addAndGet(Duration.ofSeconds(6).toMillis());

        assertThat(fetch("quotes", "ui"))
                .extracting(d -> new String(d.payload()))
                .containsExactly("long", "forever");
        await().atMost(10, TimeUnit.SECONDS)
                .untilAsserted(() -> assertThat(fetch("quotes.ui.dlq", "ops"))
                        .singleElement()
                        .satisfies(d -> {
                            assertThat(new String(d.payload())).isEqualTo("short");
                            assertThat(d.headers()).containsEntry("courier.failure", "expired");
                        }));
    }

    @Test
    void withDropAnExpiredMessageIsAcknowledgedAndCounted() throws Exception {
        settings = b -> b.expired(BrokerConfig.Expired.DROP);
        start();
        client.producer("quotes")
                .newMessage()
                .payload("short".getBytes())
                .timeToLive(Duration.ofSeconds(1))
                .send()
                .get(10, TimeUnit.SECONDS);
        client.broker().subscribe(new dev.courier.mq.client.protocol.SubscribeRequest("quotes", "ui", null));
        now.addAndGet(2_000);

        assertThat(fetch("quotes", "ui")).isEmpty();
        assertThat(broker.stats("quotes", "ui").backlog()).isZero();
        assertThat(client.admin().topics()).extracting(t -> t.name()).containsExactly("quotes");
    }

    @Test
    void aTopicsTimeToLiveAppliesToWhatItStoredAndSurvivesARestart() throws Exception {
        start();
        client.producer("ticks").send("old".getBytes()).get(10, TimeUnit.SECONDS);
        client.admin().createTopic(new CreateTopicRequest("ticks", null, null, 60_000L));
        restart();
        assertThat(client.admin().topic("ticks").orElseThrow().messageTtlMillis())
                .isEqualTo(60_000);
        now.addAndGet(61_000);
        client.producer("ticks").send("new".getBytes()).get(10, TimeUnit.SECONDS);

        assertThat(fetch("ticks", "ui"))
                .extracting(d -> new String(d.payload()))
                .containsExactly("new");

        client.admin().createTopic(new CreateTopicRequest("ticks", null, null, 0L));
        assertThat(client.admin().topic("ticks").orElseThrow().messageTtlMillis())
                .isZero();
    }

    @Test
    void aBrokerWideTimeToLiveAppliesToTopicsWithoutTheirOwn() throws Exception {
        settings = b -> b.messageTtl(Duration.ofSeconds(30));
        start();
        client.producer("a").send("x".getBytes()).get(10, TimeUnit.SECONDS);
        client.producer("b").send("y".getBytes()).get(10, TimeUnit.SECONDS);
        client.admin().createTopic(new CreateTopicRequest("b", null, null, 0L)); // b: no time to live
        now.addAndGet(31_000);

        assertThat(fetch("a", "s")).isEmpty();
        assertThat(fetch("b", "s")).hasSize(1);
        assertThat(new ArrayList<>(client.admin().topics()))
                .extracting(t -> t.name() + "=" + t.messageTtlMillis())
                .as("the dead-letter topic the expiry created takes no time to live from the broker")
                .containsExactly("a=30000", "a.s.dlq=0", "b=0");
    }
}
