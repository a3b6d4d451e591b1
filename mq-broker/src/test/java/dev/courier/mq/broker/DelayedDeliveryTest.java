package dev.courier.mq.broker;

import dev.courier.mq.client.MessageId;
import dev.courier.mq.client.MqClient;
import dev.courier.mq.client.Producer;
import dev.courier.mq.client.protocol.Delivery;
import dev.courier.mq.client.protocol.FetchRequest;
import dev.courier.mq.client.protocol.MessageProperties;
import dev.courier.mq.client.protocol.PublishRequest;
import dev.courier.mq.client.protocol.StartPosition;
import dev.courier.mq.client.protocol.SubscribeRequest;
import dev.courier.rpc.RemoteException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Delayed delivery: stored at once, delivered once due, once, across restarts, with the schedule on disk. */
class DelayedDeliveryTest {

    @TempDir
    Path dir;

    private Broker broker;
    private MqClient client;
    /** The broker's clock, moved by the tests. */
    private final AtomicLong now = new AtomicLong(System.currentTimeMillis());

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
        broker = Broker.start(
                BrokerConfig.builder(dir)
                        .clock(now::get)
                        .sessionTimeout(Duration.ofHours(1))
                        .build(),
                "127.0.0.1",
                0);
        client = MqClient.connect("127.0.0.1:" + broker.port());
    }

    private void restart() throws Exception {
        client.close();
        broker.close();
        start();
    }

    private MessageId sendDelayed(Producer p, String body, Duration delay) throws Exception {
        return p.newMessage()
                .key("k-" + body)
                .header("h", body)
                .payload(body.getBytes())
                .deliverAfter(delay)
                .send()
                .get(10, TimeUnit.SECONDS);
    }

    private List<Delivery> fetch(String subscription, long waitMillis) throws Exception {
        return client.broker()
                .fetch(new FetchRequest("jobs", subscription, "c1", 1000, 1000, waitMillis, 3_600_000))
                .get(10, TimeUnit.SECONDS)
                .messages();
    }

    /** Fetches until {@code count} messages came, acknowledging each. */
    private List<Delivery> collect(String subscription, int count) throws Exception {
        List<Delivery> got = new ArrayList<>();
        if (count == 0) {
            return got;
        }
        await().atMost(20, TimeUnit.SECONDS).until(() -> {
            List<Delivery> batch = fetch(subscription, 200);
            got.addAll(batch);
            if (!batch.isEmpty()) {
                client.broker()
                        .ack(new dev.courier.mq.client.protocol.AckRequest(
                                "jobs",
                                subscription,
                                "c1",
                                batch.stream().mapToLong(Delivery::offset).toArray()))
                        .get(10, TimeUnit.SECONDS);
            }
            return got.size() >= count;
        });
        return got;
    }

    /**
     * What is delivered before a marker sent now with the least delay: copies are made in due order, so a
     * message due before now that was to be copied (again) comes first.
     */
    private List<Delivery> afterAMarker(String subscription) throws Exception {
        client.producer("jobs")
                .newMessage()
                .payload("marker".getBytes())
                .deliverAfter(Duration.ofMillis(1))
                .send()
                .get(10, TimeUnit.SECONDS);
        now.addAndGet(1);
        List<Delivery> got = new ArrayList<>();
        await().atMost(20, TimeUnit.SECONDS).until(() -> {
            got.addAll(collect(subscription, 1));
            return new String(got.get(got.size() - 1).payload()).equals("marker");
        });
        return got.subList(0, got.size() - 1);
    }

    @Test
    void aDelayedMessageIsStoredAtOnceAndDeliveredOnlyOnceDue() throws Exception {
        start();
        client.broker().subscribe(new SubscribeRequest("jobs", "workers", StartPosition.EARLIEST));
        Producer p = client.producer("jobs");
        MessageId stored = sendDelayed(p, "later", Duration.ofSeconds(10));
        p.send("now".getBytes()).get(10, TimeUnit.SECONDS);

        assertThat(collect("workers", 1))
                .extracting(d -> new String(d.payload()))
                .containsExactly("now");
        now.addAndGet(9_000);
        assertThat(fetch("workers", 0)).as("not yet due").isEmpty();
        now.addAndGet(1_000);

        Delivery d = collect("workers", 1).get(0);
        assertThat(new String(d.payload())).isEqualTo("later");
        assertThat(d.key()).isEqualTo("k-later");
        assertThat(d.headers()).containsEntry("h", "later").containsEntry("courier.delayed.from", "" + stored.offset());
        assertThat(d.offset()).isGreaterThan(stored.offset());
        assertThat(d.timestamp()).isGreaterThanOrEqualTo(now.get());
        assertThat(broker.stats("jobs", "workers").backlog()).isZero();
    }

    @Test
    void theScheduleSurvivesRestartsAndEachMessageIsDeliveredOnce() throws Exception {
        start();
        client.broker().subscribe(new SubscribeRequest("jobs", "workers", StartPosition.EARLIEST));
        Producer p = client.producer("jobs");
        sendDelayed(p, "b-in-5-min", Duration.ofMinutes(5)); // past the window: in a bucket file
        sendDelayed(p, "a-in-30-s", Duration.ofSeconds(30)); // in the window
        assertThat(Files.list(dir.resolve("topics").resolve("jobs").resolve("delayed")))
                .anyMatch(f -> f.getFileName().toString().endsWith(".due"));
        restart();

        now.addAndGet(Duration.ofSeconds(31).toMillis());
        assertThat(collect("workers", 1))
                .extracting(d -> new String(d.payload()))
                .containsExactly("a-in-30-s");
        restart(); // the copy of a is in the log: a is not delivered again
        now.addAndGet(Duration.ofMinutes(5).toMillis());
        assertThat(collect("workers", 1))
                .extracting(d -> new String(d.payload()))
                .containsExactly("b-in-5-min");

        restart();
        now.addAndGet(Duration.ofHours(1).toMillis());
        assertThat(afterAMarker("workers")).as("nothing is delivered twice").isEmpty();
        assertThat(broker.stats("jobs", "workers").backlog()).isZero();
    }

    @Test
    void manyMessagesSpreadOverTenMinutesComeInDueOrderAndNoneEarly() throws Exception {
        start();
        client.broker().subscribe(new SubscribeRequest("jobs", "workers", StartPosition.EARLIEST));
        Producer p = client.producer("jobs");
        SplittableRandom random = new SplittableRandom(7);
        long start = now.get();
        int n = 2000;
        List<Long> due = new ArrayList<>();
        List<CompletableFuture<MessageId>> sends = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long delay = random.nextLong(1, Duration.ofMinutes(10).toMillis());
            due.add(start + delay);
            sends.add(p.newMessage()
                    .payload(Long.toString(start + delay).getBytes())
                    .deliverAfter(Duration.ofMillis(delay))
                    .send());
        }
        CompletableFuture.allOf(sends.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
        try (Stream<Path> files =
                Files.list(dir.resolve("topics").resolve("jobs").resolve("delayed"))) {
            assertThat(files.filter(f -> f.getFileName().toString().endsWith(".due")))
                    .as("most of the schedule is on disk, not in memory")
                    .hasSizeGreaterThanOrEqualTo(8);
        }

        List<Long> delivered = new ArrayList<>();
        for (int step = 1; step <= 21; step++) {
            long clock = start + step * 30_000L;
            now.set(clock);
            long dueByNow = due.stream().filter(t -> t <= clock).count();
            for (Delivery d : collect("workers", (int) (dueByNow - delivered.size()))) {
                long at = Long.parseLong(new String(d.payload()));
                assertThat(at).as("delivered no earlier than due").isLessThanOrEqualTo(clock);
                delivered.add(at);
            }
            assertThat(delivered).hasSize((int) dueByNow);
        }
        assertThat(delivered).hasSize(n).isSorted();
    }

    @Test
    void aDelayOfMoreThanThirtyDaysIsRefused() throws Exception {
        start();
        assertThatThrownBy(() -> client.producer("jobs")
                        .newMessage()
                        .payload("x".getBytes())
                        .deliverAfter(Duration.ofDays(31))
                        .send()
                        .get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasMessageContaining("30 days");
        PublishRequest raw = new PublishRequest(
                "jobs",
                0,
                0,
                List.of("x".getBytes()),
                List.of(new MessageProperties(
                        null, null, 0, 0, Duration.ofDays(31).toMillis())));
        assertThatThrownBy(() -> client.broker().publish(raw).get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(RemoteException.class)
                .hasMessageContaining("30 days");
    }

    @Test
    void aResentDelayedMessageIsStoredAndDeliveredOnce() throws Exception {
        start();
        client.broker().subscribe(new SubscribeRequest("jobs", "workers", StartPosition.EARLIEST));
        PublishRequest once = new PublishRequest(
                "jobs", 77, 1, List.of("x".getBytes()), List.of(new MessageProperties(null, null, 0, 0, 5_000)));
        client.broker().publish(once).get(10, TimeUnit.SECONDS);
        assertThat(client.broker().publish(once).get(10, TimeUnit.SECONDS).duplicates())
                .isEqualTo(1);
        now.addAndGet(5_000);

        assertThat(collect("workers", 1)).hasSize(1);
        assertThat(afterAMarker("workers")).isEmpty();
    }

    @Test
    void theTimeToLiveOfADelayedMessageCountsFromWhenItIsDue() throws Exception {
        start();
        client.broker().subscribe(new SubscribeRequest("jobs", "workers", StartPosition.EARLIEST));
        client.producer("jobs")
                .newMessage()
                .payload("x".getBytes())
                .deliverAfter(Duration.ofSeconds(60))
                .timeToLive(Duration.ofSeconds(10))
                .send()
                .get(10, TimeUnit.SECONDS);
        now.addAndGet(65_000);

        assertThat(collect("workers", 1))
                .extracting(d -> new String(d.payload()))
                .containsExactly("x");
    }
}
