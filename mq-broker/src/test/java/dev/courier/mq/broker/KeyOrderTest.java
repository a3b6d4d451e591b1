package dev.courier.mq.broker;

import dev.courier.mq.client.MessageId;
import dev.courier.mq.client.MqClient;
import dev.courier.mq.client.Producer;
import dev.courier.mq.client.SubscribeOptions;
import dev.courier.mq.client.Subscriber;
import dev.courier.mq.client.protocol.AckRequest;
import dev.courier.mq.client.protocol.Delivery;
import dev.courier.mq.client.protocol.FetchRequest;
import dev.courier.mq.client.protocol.StartPosition;
import dev.courier.mq.client.protocol.SubscribeRequest;
import dev.courier.mq.client.protocol.SubscriptionSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Key-ordered subscriptions: one key at one consumer at a time, in publish order, redeliveries included. */
class KeyOrderTest {

    @TempDir
    Path dir;

    private Broker broker;
    private MqClient client;
    private final List<Subscriber> subscribers = new ArrayList<>();

    @AfterEach
    void close() {
        subscribers.forEach(Subscriber::close);
        if (client != null) {
            client.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private void start(BrokerConfig.Builder config) throws Exception {
        broker = Broker.start(config.build(), "127.0.0.1", 0);
        client = MqClient.connect("127.0.0.1:" + broker.port());
    }

    private static final SubscriptionSpec KEY_ORDERED = new SubscriptionSpec(null, null, true);

    @Test
    void threeCompetingConsumersWithRandomNacksProcessEveryKeyInOrder() throws Exception {
        start(BrokerConfig.builder(dir).backoff(Duration.ofMillis(1), Duration.ofMillis(5)));
        int keys = 100;
        int perKey = 20;
        Map<String, List<Integer>> processed = new ConcurrentHashMap<>();
        Set<String> holding = ConcurrentHashMap.newKeySet();
        AtomicInteger heldTwice = new AtomicInteger();
        AtomicInteger nacks = new AtomicInteger();
        Set<String> consumersUsed = ConcurrentHashMap.newKeySet();
        for (int c = 0; c < 3; c++) {
            String name = "c" + c;
            SplittableRandom random = new SplittableRandom(c);
            subscribers.add(client.subscribe(
                    "events",
                    "ordered",
                    SubscribeOptions.defaults()
                            .keyOrdered(true)
                            .prefetch(50)
                            .threads(4)
                            .ackMode(SubscribeOptions.AckMode.MANUAL),
                    m -> {
                        if (!holding.add(m.key())) {
                            heldTwice.incrementAndGet();
                        }
                        consumersUsed.add(name);
                        boolean fail;
                        synchronized (random) {
                            fail = random.nextInt(5) == 0;
                        }
                        holding.remove(m.key());
                        if (fail) {
                            nacks.incrementAndGet();
                            m.nack(Duration.ZERO, "random failure");
                        } else {
                            String body = new String(m.payload(), StandardCharsets.UTF_8);
                            processed
                                    .computeIfAbsent(m.key(), k -> new CopyOnWriteArrayList<>())
                                    .add(Integer.parseInt(body.substring(body.indexOf('#') + 1)));
                            m.ack();
                        }
                    }));
        }
        Producer p = client.producer("events");
        List<CompletableFuture<MessageId>> sends = new ArrayList<>();
        for (int i = 0; i < perKey; i++) {
            for (int k = 0; k < keys; k++) {
                sends.add(p.newMessage()
                        .key("user-" + k)
                        .payload(("user-" + k + "#" + i).getBytes(StandardCharsets.UTF_8))
                        .send());
            }
        }
        CompletableFuture.allOf(sends.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);

        await().atMost(60, TimeUnit.SECONDS)
                .until(() -> processed.values().stream().mapToInt(List::size).sum() == keys * perKey);
        List<Integer> inOrder = new ArrayList<>();
        for (int i = 0; i < perKey; i++) {
            inOrder.add(i);
        }
        assertThat(processed).hasSize(keys);
        processed.forEach((key, seen) -> assertThat(seen).as(key).containsExactlyElementsOf(inOrder));
        assertThat(heldTwice).as("a key held by two handlers at once").hasValue(0);
        assertThat(nacks.get()).as("random failures happened").isGreaterThan(100);
        assertThat(consumersUsed).as("all three took part").hasSize(3);
        await().atMost(10, TimeUnit.SECONDS)
                .until(() -> broker.stats("events", "ordered").backlog() == 0);
    }

    @Test
    void otherKeysKeepFlowingWhileOneKeysMessageIsOut() throws Exception {
        start(BrokerConfig.builder(dir));
        client.broker().subscribe(new SubscribeRequest("events", "ordered", StartPosition.EARLIEST, KEY_ORDERED));
        Producer p = client.producer("events");
        for (String key : List.of("a", "a", "a", "b", "c", "b")) {
            p.newMessage().key(key).payload(key.getBytes()).send().get(10, TimeUnit.SECONDS);
        }
        p.send("no key".getBytes()).get(10, TimeUnit.SECONDS);

        List<Delivery> first = fetch("c1", 10);
        assertThat(first).extracting(Delivery::key).containsExactly("a", "b", "c", null);
        assertThat(fetch("c2", 10))
                .as("nothing more may go until a and b are settled")
                .isEmpty();

        ack("c1", first.get(0).offset()); // a#1
        List<Delivery> second = fetch("c2", 10);
        assertThat(second).extracting(Delivery::offset).containsExactly(1L);
        ack("c1", first.get(1).offset()); // b#1
        assertThat(fetch("c1", 10)).extracting(Delivery::offset).containsExactly(5L);
    }

    @Test
    void aMessageHeldBackIsNotCountedAsDeliveredAfterARestart() throws Exception {
        start(BrokerConfig.builder(dir).maxDeliveries(2));
        client.broker().subscribe(new SubscribeRequest("events", "ordered", StartPosition.EARLIEST, KEY_ORDERED));
        Producer p = client.producer("events");
        p.newMessage().key("k").payload("1".getBytes()).send().get(10, TimeUnit.SECONDS);
        p.newMessage().key("k").payload("2".getBytes()).send().get(10, TimeUnit.SECONDS);
        assertThat(fetch("c1", 10)).extracting(Delivery::offset).containsExactly(0L);

        client.close();
        broker.close();
        start(BrokerConfig.builder(dir).maxDeliveries(2));

        Delivery again = fetch("c1", 10).get(0);
        assertThat(again.offset()).isZero();
        assertThat(again.deliveryCount()).isEqualTo(2);
        ack("c1", 0);
        Delivery next = fetch("c1", 10).get(0);
        assertThat(next.offset()).isEqualTo(1);
        assertThat(next.deliveryCount()).as("held back, never delivered").isEqualTo(1);

        // and once delivered, a restart counts that delivery
        client.close();
        broker.close();
        start(BrokerConfig.builder(dir).maxDeliveries(2));
        assertThat(fetch("c1", 10).get(0).deliveryCount()).isEqualTo(2);
    }

    private List<Delivery> fetch(String consumer, int max) throws Exception {
        return client.broker()
                .fetch(new FetchRequest("events", "ordered", consumer, 100, max, 0, 30_000))
                .get(10, TimeUnit.SECONDS)
                .messages();
    }

    private void ack(String consumer, long offset) throws Exception {
        assertThat(client.broker()
                        .ack(new AckRequest("events", "ordered", consumer, new long[] {offset}))
                        .get(10, TimeUnit.SECONDS))
                .isEqualTo(1);
    }
}
