package dev.courier.mq.broker;

import dev.courier.mq.broker.storage.FsyncPolicy;
import dev.courier.mq.broker.storage.LogConfig;
import dev.courier.mq.client.protocol.AckRequest;
import dev.courier.mq.client.protocol.BrokerService;
import dev.courier.mq.client.protocol.Delivery;
import dev.courier.mq.client.protocol.ExtendRequest;
import dev.courier.mq.client.protocol.FetchRequest;
import dev.courier.mq.client.protocol.NackRequest;
import dev.courier.mq.client.protocol.PublishRequest;
import dev.courier.mq.client.protocol.PublishResult;
import dev.courier.mq.client.protocol.StartPosition;
import dev.courier.mq.client.protocol.SubscribeRequest;
import dev.courier.rpc.RpcClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The broker's delivery contract, driven through its remote interface. */
class DeliveryTest {

    @TempDir
    Path dir;

    private Broker broker;
    private RpcClient rpc;
    private BrokerService svc;

    private void start(UnaryOperator<BrokerConfig.Builder> tweak) {
        broker = EmbeddedBroker.start(tweak.apply(BrokerConfig.builder(dir)).build());
        if (rpc == null) {
            rpc = RpcClient.builder().build();
        }
        svc = rpc.reference(BrokerService.class)
                .address("127.0.0.1", broker.port())
                .timeout(Duration.ofSeconds(10))
                .build();
    }

    private void restart(UnaryOperator<BrokerConfig.Builder> tweak) {
        broker.close();
        start(tweak);
    }

    @AfterEach
    void tearDown() {
        if (rpc != null) {
            rpc.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private PublishResult publish(String topic, String... payloads) throws Exception {
        List<byte[]> list = new ArrayList<>();
        for (String p : payloads) {
            list.add(p.getBytes(StandardCharsets.UTF_8));
        }
        return svc.publish(new PublishRequest(topic, 0, 0, list)).get(5, TimeUnit.SECONDS);
    }

    private List<Delivery> fetch(
            String topic, String sub, String consumer, int prefetch, long waitMillis, long ackTimeout)
            throws Exception {
        return svc.fetch(new FetchRequest(topic, sub, consumer, prefetch, prefetch, waitMillis, ackTimeout))
                .get(10, TimeUnit.SECONDS)
                .messages();
    }

    /** Fetches as {@code consumer} until {@code n} messages have arrived (up to 5 s). */
    private List<Delivery> fetchAtLeast(int n, String topic, String sub, String consumer) {
        List<Delivery> got = new ArrayList<>();
        await().atMost(20, TimeUnit.SECONDS).until(() -> {
            got.addAll(fetch(topic, sub, consumer, 10, 200, 60_000));
            return got.size() >= n;
        });
        return got;
    }

    private static List<String> bodies(List<Delivery> ds) {
        return ds.stream()
                .map(d -> new String(d.payload(), StandardCharsets.UTF_8))
                .toList();
    }

    private static long[] offsets(List<Delivery> ds) {
        return ds.stream().mapToLong(Delivery::offset).toArray();
    }

    @Test
    void deliversInPublishOrderAndAcksAdvanceTheFloor() throws Exception {
        start(b -> b);
        publish("t", "a", "b", "c");
        List<Delivery> got = fetch("t", "s", "c1", 10, 0, 30_000);
        assertThat(bodies(got)).containsExactly("a", "b", "c");
        assertThat(got).allSatisfy(d -> assertThat(d.deliveryCount()).isEqualTo(1));
        svc.ack(new AckRequest("t", "s", "c1", offsets(got))).get();
        assertThat(broker.stats("t", "s").ackFloor()).isEqualTo(3);
        assertThat(broker.stats("t", "s").backlog()).isZero();
    }

    @Test
    void longPollAnswersAsSoonAsAMessageIsDurable() throws Exception {
        start(b -> b);
        svc.subscribe(new SubscribeRequest("t", "s", StartPosition.EARLIEST));
        // a wait longer than the time allowed below: an answer within it can only be the publish
        var pending = svc.fetch(new FetchRequest("t", "s", "c1", 10, 10, 9000, 30_000));
        await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(1)).until(() -> !pending.isDone());
        publish("t", "x");
        assertThat(bodies(pending.get(5, TimeUnit.SECONDS).messages())).containsExactly("x");
    }

    @Test
    void unackedMessagesAreRedeliveredWhenTheirConsumerGoesSilent() throws Exception {
        start(b -> b.sessionTimeout(Duration.ofMillis(400)));
        publish("t", "a", "b");
        assertThat(bodies(fetch("t", "s", "dies", 10, 0, 60_000))).containsExactly("a", "b");
        // "dies" never calls again; after the session timeout another consumer gets both
        List<Delivery> again = fetchAtLeast(2, "t", "s", "lives");
        assertThat(bodies(again)).containsExactly("a", "b");
        assertThat(again).allSatisfy(d -> assertThat(d.deliveryCount()).isEqualTo(2));
    }

    @Test
    void unackedMessagesAreRedeliveredAsSoonAsTheirConsumersConnectionCloses() throws Exception {
        // a session timeout far beyond the wait below: only the closed connection can explain a redelivery
        start(b -> b.sessionTimeout(Duration.ofMinutes(5)));
        publish("t", "a", "b");
        try (RpcClient other = RpcClient.builder().build()) {
            BrokerService dying = other.reference(BrokerService.class)
                    .address("127.0.0.1", broker.port())
                    .timeout(Duration.ofSeconds(10))
                    .build();
            List<Delivery> held = dying.fetch(new FetchRequest("t", "s", "dies", 10, 10, 0, 600_000))
                    .get(10, TimeUnit.SECONDS)
                    .messages();
            assertThat(bodies(held)).containsExactly("a", "b");
            assertThat(broker.stats("t", "s").inFlight()).isEqualTo(2);
        } // the connection closes without a detach, as when a consumer process dies
        List<Delivery> again = fetchAtLeast(2, "t", "s", "lives");
        assertThat(bodies(again)).containsExactly("a", "b");
        assertThat(again).allSatisfy(d -> assertThat(d.deliveryCount()).isEqualTo(2));
        assertThat(broker.stats("t", "s").consumers()).isEqualTo(1);
    }

    @Test
    void withFsyncAlwaysPublishesAreForcedOffTheIoThreadsAndStayInOrder() throws Exception {
        java.util.Set<String> forcingThreads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        start(b -> b.log(LogConfig.builder()
                .fsync(FsyncPolicy.ALWAYS)
                .syncer(ch -> {
                    forcingThreads.add(Thread.currentThread().getName());
                    ch.force(false);
                })
                .build()));
        List<java.util.concurrent.CompletableFuture<PublishResult>> calls = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            calls.add(svc.publish(new PublishRequest(
                    "t",
                    77,
                    1 + 2L * i,
                    List.of(
                            ("m" + 2 * i).getBytes(StandardCharsets.UTF_8),
                            ("m" + (2 * i + 1)).getBytes(StandardCharsets.UTF_8)))));
        }
        for (int i = 0; i < calls.size(); i++) {
            assertThat(calls.get(i).get(10, TimeUnit.SECONDS).offsets()).containsExactly(2L * i, 2L * i + 1);
        }
        assertThat(forcingThreads).isNotEmpty().noneMatch(t -> t.startsWith("courier-server-io"));
        List<Delivery> got = fetch("t", "s", "c", 200, 0, 30_000);
        assertThat(bodies(got)).hasSize(100).first().isEqualTo("m0");
        assertThat(bodies(got)).last().isEqualTo("m99");
    }

    @Test
    void detachRedeliversAtOnce() throws Exception {
        start(b -> b);
        publish("t", "a");
        fetch("t", "s", "c1", 10, 0, 60_000);
        assertThat(svc.detach("t", "s", "c1")).isEqualTo(1);
        assertThat(bodies(fetch("t", "s", "c2", 10, 1000, 60_000))).containsExactly("a");
    }

    @Test
    void messagesPastTheirAckDeadlineAreRedeliveredUnlessExtended() throws Exception {
        java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong(1_000_000);
        start(b -> b.clock(now::get).sessionTimeout(Duration.ofHours(1)));
        publish("t", "slow", "extended");
        List<Delivery> got = fetch("t", "s", "c1", 10, 0, 60_000);
        svc.extendDeadline(
                new ExtendRequest("t", "s", "c1", new long[] {got.get(1).offset()}, 600_000));
        now.addAndGet(59_000);
        assertThat(fetch("t", "s", "c2", 10, 0, 30_000))
                .as("before the deadline")
                .isEmpty();
        now.addAndGet(2_000);
        List<Delivery> again = fetch("t", "s", "c2", 10, 5000, 30_000);
        assertThat(bodies(again)).containsExactly("slow");
        assertThat(again.get(0).deliveryCount()).isEqualTo(2);
        assertThat(broker.stats("t", "s").inFlight()).isEqualTo(2); // "extended" still held by c1
    }

    @Test
    void nackWithDelayRedeliversAfterTheDelay() throws Exception {
        java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong(1_000_000);
        start(b -> b.clock(now::get).sessionTimeout(Duration.ofHours(1)));
        publish("t", "a");
        List<Delivery> got = fetch("t", "s", "c1", 10, 0, 300_000);
        svc.nack(new NackRequest("t", "s", "c1", offsets(got), 60_000, "busy")).get();
        now.addAndGet(59_999);
        assertThat(fetch("t", "s", "c1", 10, 0, 300_000))
                .as("not before the delay")
                .isEmpty();
        now.addAndGet(1);
        List<Delivery> again = fetch("t", "s", "c1", 10, 5000, 300_000);
        assertThat(bodies(again)).containsExactly("a");
        assertThat(again.get(0).deliveryCount()).isEqualTo(2);
    }

    @Test
    void nacksWithoutDelayBackOffExponentially() throws Exception {
        long base = 100;
        start(b -> b.backoff(Duration.ofMillis(base), Duration.ofSeconds(10)));
        publish("t", "a");
        List<Delivery> got = fetch("t", "s", "c1", 10, 0, 30_000);
        List<Long> gaps = new ArrayList<>();
        for (int nack = 1; nack <= 4; nack++) {
            long nackedAt = System.nanoTime();
            svc.nack(new NackRequest("t", "s", "c1", offsets(got), 0, "flaky")).get();
            got = fetch("t", "s", "c1", 10, 9_000, 30_000);
            gaps.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nackedAt));
            assertThat(bodies(got)).containsExactly("a");
            assertThat(got.get(0).deliveryCount()).isEqualTo(nack + 1);
        }
        // not before base x 2^(n-1) after the n-th nack: 100, 200, 400, 800 ms (a constant delay would
        // come back after 100 ms each time); how much later is scheduling, not the contract
        for (int n = 0; n < gaps.size(); n++) {
            assertThat(gaps.get(n))
                    .as("redelivery after nack %d (gaps %s)", n + 1, gaps)
                    .isGreaterThanOrEqualTo((base << n) - 10);
        }
    }

    @Test
    void aRedeliveredMessageArrivesAfterLaterOnes() throws Exception {
        start(b -> b);
        publish("t", "a", "b", "c", "d");
        List<Delivery> arrivals = new ArrayList<>(fetch("t", "s", "c1", 1, 0, 30_000));
        svc.nack(new NackRequest("t", "s", "c1", offsets(arrivals), 1_500, "later"))
                .get();
        // one at a time, each acked: b, c and d come while a waits out its delay
        while (arrivals.size() < 5) {
            List<Delivery> next = fetch("t", "s", "c1", 1, 9_000, 30_000);
            arrivals.addAll(next);
            svc.ack(new AckRequest("t", "s", "c1", offsets(next))).get();
        }
        assertThat(bodies(arrivals)).containsExactly("a", "b", "c", "d", "a");
        assertThat(arrivals.stream().map(Delivery::deliveryCount)).containsExactly(1, 1, 1, 1, 2);
        assertThat(broker.stats("t", "s").ackFloor()).isEqualTo(4);
    }

    @Test
    void afterMaxDeliveriesAMessageMovesToTheDeadLetterTopicWithItsCountAndReason() throws Exception {
        start(b -> b.backoff(Duration.ofMillis(1), Duration.ofMillis(5)));
        publish("orders", "poison", "fine");
        int deliveries = 0;
        long poison = -1;
        while (true) {
            List<Delivery> got = fetch("orders", "billing", "c1", 10, 300, 30_000);
            if (got.isEmpty()) {
                break;
            }
            for (Delivery d : got) {
                String body = new String(d.payload(), StandardCharsets.UTF_8);
                if (body.equals("poison")) {
                    deliveries++;
                    poison = d.offset();
                    svc.nack(new NackRequest(
                                    "orders",
                                    "billing",
                                    "c1",
                                    new long[] {d.offset()},
                                    0,
                                    "IllegalStateException: cannot bill #" + deliveries))
                            .get();
                } else {
                    svc.ack(new AckRequest("orders", "billing", "c1", new long[] {d.offset()}))
                            .get();
                }
            }
        }
        assertThat(deliveries).isEqualTo(16); // the default maxDeliveries
        await().atMost(20, TimeUnit.SECONDS)
                .until(() -> broker.stats("orders", "billing").ackFloor() == 2);
        assertThat(broker.stats("orders", "billing").deadLettered()).isEqualTo(1);
        List<Delivery> dead = fetch("orders.billing.dlq", "ops", "c1", 10, 1000, 30_000);
        assertThat(bodies(dead)).containsExactly("poison");
        assertThat(dead.get(0).headers())
                .containsEntry("courier.deliveries", "16")
                .containsEntry("courier.failure", "IllegalStateException: cannot bill #16")
                .containsEntry("courier.source.offset", Long.toString(poison))
                .containsEntry("courier.source.topic", "orders");
    }

    @Test
    void aMessageNackedAcrossRestartsIsDeadLetteredAfterMaxDeliveriesInAll() throws Exception {
        UnaryOperator<BrokerConfig.Builder> config = b -> b.maxDeliveries(4);
        start(config);
        publish("orders", "poison", "fine");
        List<Integer> poisonCounts = new ArrayList<>();
        for (int round = 0; round < 10; round++) {
            List<Delivery> got = fetch("orders", "billing", "c1", 10, 0, 30_000);
            boolean poisoned = false;
            for (Delivery d : got) {
                if (new String(d.payload(), StandardCharsets.UTF_8).equals("poison")) {
                    poisoned = true;
                    poisonCounts.add(d.deliveryCount());
                    svc.nack(new NackRequest("orders", "billing", "c1", new long[] {d.offset()}, 0, "cannot bill"))
                            .get();
                } else {
                    svc.ack(new AckRequest("orders", "billing", "c1", new long[] {d.offset()}))
                            .get();
                }
            }
            if (!poisoned) {
                break;
            }
            restart(config); // after every delivery, the first one too
        }
        assertThat(poisonCounts).as("each delivery's count, across 4 restarts").containsExactly(1, 2, 3, 4);
        await().atMost(20, TimeUnit.SECONDS)
                .until(() -> broker.stats("orders", "billing").ackFloor() == 2);
        assertThat(broker.stats("orders", "billing").deadLettered()).isEqualTo(1);
        List<Delivery> dead = fetch("orders.billing.dlq", "ops", "c1", 10, 1000, 30_000);
        assertThat(bodies(dead)).containsExactly("poison");
        assertThat(dead.get(0).headers()).containsEntry("courier.deliveries", "4");
        assertThat(dead.get(0).headers().get("courier.failure")).contains("restarted");
    }

    @Test
    void aMessageDeliveredOnceBeforeARestartComesBackAsItsSecondDelivery() throws Exception {
        start(b -> b);
        publish("t", "a", "b");
        List<Delivery> first = fetch("t", "s", "c1", 10, 0, 30_000);
        assertThat(first).extracting(Delivery::deliveryCount).containsExactly(1, 1);
        svc.ack(new AckRequest("t", "s", "c1", new long[] {first.get(1).offset()}))
                .get();
        restart(b -> b);
        List<Delivery> again = fetch("t", "s", "c1", 10, 0, 30_000);
        assertThat(bodies(again)).containsExactly("a");
        assertThat(again.get(0).deliveryCount()).isEqualTo(2);
        publish("t", "c");
        List<Delivery> fresh = fetch("t", "s", "c1", 10, 0, 30_000);
        assertThat(bodies(fresh)).containsExactly("c");
        assertThat(fresh.get(0).deliveryCount()).as("never delivered before").isEqualTo(1);
    }

    @Test
    void aConsumerNeverHoldsMoreThanItsPrefetch() throws Exception {
        start(b -> b);
        String[] many = new String[50];
        for (int i = 0; i < many.length; i++) {
            many[i] = "m" + i;
        }
        publish("t", many);
        List<Delivery> first = svc.fetch(new FetchRequest("t", "s", "slow", 5, 100, 0, 30_000))
                .get()
                .messages();
        assertThat(first).hasSize(5);
        // no credit left: the long poll waits and answers empty
        assertThat(svc.fetch(new FetchRequest("t", "s", "slow", 5, 100, 200, 30_000))
                        .get()
                        .messages())
                .isEmpty();
        assertThat(broker.stats("t", "s").inFlight()).isEqualTo(5);
        // acking two gives credit for two, in order
        var waiting = svc.fetch(new FetchRequest("t", "s", "slow", 5, 100, 5000, 30_000));
        svc.ack(new AckRequest("t", "s", "slow", new long[] {
                    first.get(0).offset(), first.get(1).offset()
                }))
                .get();
        assertThat(bodies(waiting.get(5, TimeUnit.SECONDS).messages())).containsExactly("m5", "m6");
        // another consumer of the same subscription gets its own prefetch
        assertThat(bodies(fetch("t", "s", "other", 3, 0, 30_000))).containsExactly("m7", "m8", "m9");
    }

    @Test
    void aRetriedPublishWithTheSameProducerSequenceIsStoredOnce() throws Exception {
        start(b -> b);
        List<byte[]> batch = List.of("a".getBytes(), "b".getBytes());
        PublishResult first = svc.publish(new PublishRequest("t", 42, 1, batch)).get();
        PublishResult retry = svc.publish(new PublishRequest("t", 42, 1, batch)).get();
        assertThat(retry.offsets()).containsExactly(first.offsets());
        assertThat(retry.duplicates()).isEqualTo(2);
        restart(b -> b);
        PublishResult afterRestart = svc.publish(
                        new PublishRequest("t", 42, 2, List.of("b".getBytes(), "c".getBytes())))
                .get();
        assertThat(afterRestart.duplicates()).isEqualTo(1);
        assertThat(bodies(fetch("t", "s", "c1", 10, 0, 30_000))).containsExactly("a", "b", "c");
    }

    @Test
    void acksSurviveARestartAndOnlyUnackedMessagesComeBack() throws Exception {
        start(b -> b);
        publish("t", "a", "b", "c", "d");
        List<Delivery> got = fetch("t", "s", "c1", 10, 0, 30_000);
        svc.ack(new AckRequest("t", "s", "c1", new long[] {
                    got.get(0).offset(), got.get(2).offset()
                }))
                .get();
        restart(b -> b);
        assertThat(bodies(fetch("t", "s", "c1", 10, 0, 30_000))).containsExactly("b", "d");
    }

    @Test
    void aSubscriptionFromLatestSkipsEarlierMessages() throws Exception {
        start(b -> b);
        publish("t", "old");
        svc.subscribe(new SubscribeRequest("t", "late", StartPosition.LATEST));
        publish("t", "new");
        assertThat(bodies(fetch("t", "late", "c1", 10, 0, 30_000))).containsExactly("new");
        assertThat(bodies(fetch("t", "early", "c1", 10, 0, 30_000))).containsExactly("old", "new");
    }

    @Test
    void retentionDeletesSegmentsOnceEverySubscriptionAckedPastThem() throws Exception {
        start(b -> b.housekeeping(Duration.ofMillis(50))
                .log(LogConfig.builder()
                        .segmentBytes(1024)
                        .fsync(FsyncPolicy.GROUP)
                        .build()));
        svc.subscribe(new SubscribeRequest("t", "s1", StartPosition.EARLIEST));
        svc.subscribe(new SubscribeRequest("t", "s2", StartPosition.EARLIEST));
        String body = "x".repeat(200);
        for (int i = 0; i < 12; i++) {
            publish("t", body);
        }
        Path topicDir = dir.resolve("topics").resolve("t");
        assertThat(segments(topicDir)).isEqualTo(3);
        List<Delivery> all = fetch("t", "s1", "c", 100, 0, 30_000);
        svc.ack(new AckRequest("t", "s1", "c", offsets(all))).get();
        await("s2 has not acked yet: nothing is deleted")
                .during(Duration.ofMillis(300))
                .atMost(Duration.ofSeconds(2))
                .until(() -> segments(topicDir) == 3);
        List<Delivery> all2 = fetch("t", "s2", "c", 100, 0, 30_000);
        svc.ack(new AckRequest("t", "s2", "c", offsets(all2))).get();
        await().atMost(20, TimeUnit.SECONDS).until(() -> segments(topicDir) == 1);
    }

    @Test
    void anAgeLimitDeletesOldSegmentsAndSubscriptionsBelowThemSkipPast() throws Exception {
        UnaryOperator<BrokerConfig.Builder> config = b -> b.housekeeping(Duration.ofMillis(50))
                .log(LogConfig.builder()
                        .segmentBytes(1024)
                        .fsync(FsyncPolicy.GROUP)
                        .retention(Duration.ofHours(1))
                        .build());
        start(config);
        svc.subscribe(new SubscribeRequest("t", "s", StartPosition.EARLIEST));
        svc.subscribe(new SubscribeRequest("t", "idle", StartPosition.EARLIEST));
        for (int i = 0; i < 12; i++) {
            publish("t", i + "-" + "x".repeat(200)); // 4 records a segment: segments 0, 4 and 8 (active)
        }
        Path topicDir = dir.resolve("topics").resolve("t");
        assertThat(segments(topicDir)).isEqualTo(3);

        // "s": 0 and 1 acked, 2, 3 and 5 held, 4 waiting for redelivery; "idle" has fetched nothing
        List<Delivery> got = fetch("t", "s", "c1", 6, 0, 60_000);
        assertThat(offsets(got)).containsExactly(0, 1, 2, 3, 4, 5);
        svc.ack(new AckRequest("t", "s", "c1", new long[] {0, 1})).get();
        svc.nack(new NackRequest("t", "s", "c1", new long[] {4}, 0, "later")).get();
        assertThat(broker.stats("t", "s").ackFloor()).isEqualTo(2);

        // the newest records of segments 0 and 4 are two hours old
        for (long base : new long[] {0, 4}) {
            Files.setLastModifiedTime(
                    topicDir.resolve(String.format("%020d.log", base)),
                    FileTime.fromMillis(
                            System.currentTimeMillis() - Duration.ofHours(2).toMillis()));
        }
        await().atMost(20, TimeUnit.SECONDS).until(() -> segments(topicDir) == 1);
        await().atMost(20, TimeUnit.SECONDS)
                .until(() -> broker.stats("t", "s").ackFloor() == 8
                        && broker.stats("t", "idle").ackFloor() == 8);

        // acks of held messages that are gone count for nothing; the pending redelivery of 4 is dropped
        assertThat(svc.ack(new AckRequest("t", "s", "c1", new long[] {2, 3, 5})).get())
                .isZero();
        List<Delivery> rest = fetch("t", "s", "c1", 6, 0, 60_000);
        assertThat(offsets(rest)).containsExactly(8, 9, 10, 11);
        assertThat(bodies(rest).get(0)).startsWith("8-");
        svc.ack(new AckRequest("t", "s", "c1", offsets(rest))).get();
        assertThat(broker.stats("t", "s").ackFloor()).isEqualTo(12);
        assertThat(broker.stats("t", "s").backlog()).isZero();
        assertThat(offsets(fetch("t", "idle", "c2", 10, 0, 60_000))).containsExactly(8, 9, 10, 11);

        // the jumps were persisted
        restart(config);
        assertThat(broker.stats("t", "s").ackFloor()).isEqualTo(12);
        assertThat(broker.stats("t", "idle").ackFloor()).isEqualTo(8);
        assertThat(offsets(fetch("t", "idle", "c2", 10, 0, 60_000))).containsExactly(8, 9, 10, 11);
    }

    private static long segments(Path topicDir) throws java.io.IOException {
        try (var s = java.nio.file.Files.list(topicDir)) {
            return s.filter(p -> p.toString().endsWith(".log")).count();
        }
    }
}
