package dev.courier.mq.broker;

import dev.courier.mq.broker.storage.RecordFormat;
import dev.courier.mq.broker.storage.SimulatedDisk;
import dev.courier.mq.broker.storage.StorageFullException;
import dev.courier.mq.client.MqClient;
import dev.courier.mq.client.SubscribeOptions;
import dev.courier.mq.client.Subscriber;
import dev.courier.mq.client.protocol.AckRequest;
import dev.courier.mq.client.protocol.BrokerService;
import dev.courier.mq.client.protocol.Delivery;
import dev.courier.mq.client.protocol.FetchRequest;
import dev.courier.mq.client.protocol.MessageTooLargeException;
import dev.courier.mq.client.protocol.NackRequest;
import dev.courier.mq.client.protocol.PublishRequest;
import dev.courier.mq.client.protocol.StartPosition;
import dev.courier.mq.client.protocol.SubscribeRequest;
import dev.courier.mq.client.protocol.SubscriptionStats;
import dev.courier.rpc.RemoteException;
import dev.courier.rpc.RpcClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The paths by which acknowledged messages used to be lost or never delivered, each closed. */
class LossPathTest {

    @TempDir
    Path dir;

    private Broker broker;
    private RpcClient rpc;
    private BrokerService svc;
    private final List<AutoCloseable> closeLast = new ArrayList<>();

    private void start(UnaryOperator<BrokerConfig.Builder> tweak) {
        broker = EmbeddedBroker.start(tweak.apply(BrokerConfig.builder(dir)).build());
        if (rpc == null) {
            rpc = RpcClient.builder().build();
        }
        svc = rpc.reference(BrokerService.class)
                .address("127.0.0.1", broker.port())
                .timeout(Duration.ofSeconds(20))
                .build();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (rpc != null) {
            rpc.close();
        }
        if (broker != null) {
            broker.close();
        }
        for (AutoCloseable c : closeLast) {
            c.close();
        }
    }

    private void publish(String topic, int count, int size) throws Exception {
        for (int i = 0; i < count; i += 10) {
            List<byte[]> batch = new ArrayList<>();
            for (int j = i; j < Math.min(count, i + 10); j++) {
                byte[] p = new byte[size];
                byte[] id = ("m" + j + "|").getBytes(StandardCharsets.UTF_8);
                System.arraycopy(id, 0, p, 0, id.length);
                batch.add(p);
            }
            svc.publish(new PublishRequest(topic, 0, 0, batch)).get(20, TimeUnit.SECONDS);
        }
    }

    private List<Delivery> fetch(String topic, String consumer, int max) throws Exception {
        return svc.fetch(new FetchRequest(topic, "s", consumer, max, max, 0, 60_000))
                .get(20, TimeUnit.SECONDS)
                .messages();
    }

    /** As tried by a new user: 200 messages of 200 KiB were all acknowledged and none was ever delivered. */
    @Test
    void largeMessagesAreAllDeliveredInAnswersThatFitTheFrame() throws Exception {
        start(b -> b);
        svc.subscribe(new SubscribeRequest("big", "s", StartPosition.EARLIEST));
        publish("big", 200, 200 << 10);
        List<Delivery> first = fetch("big", "c", 200);
        long bytes = first.stream().mapToLong(d -> d.payload().length).sum();
        assertThat(first).isNotEmpty();
        assertThat(bytes)
                .as("one answer stays within the fetch limit")
                .isLessThanOrEqualTo(broker.config().maxFetchBytes());

        Set<Long> got = ConcurrentHashMap.newKeySet();
        try (MqClient client = MqClient.connect("127.0.0.1:" + broker.port())) {
            client.subscribe("big", "t", SubscribeOptions.defaults().prefetch(200), m -> got.add(m.offset()));
            await().atMost(Duration.ofSeconds(60)).until(() -> got.size() == 200);
        }
        assertThat(broker.stats("big", "t").deadLettered()).isZero();
    }

    @Test
    void aMessageLargerThanTheFetchLimitStillGoesAlone() throws Exception {
        start(b -> b.maxFetchBytes(64 << 10));
        svc.subscribe(new SubscribeRequest("t", "s", StartPosition.EARLIEST));
        publish("t", 3, 1 << 20);
        assertThat(fetch("t", "c", 10)).hasSize(1);
        assertThat(fetch("t", "c", 10)).hasSize(1);
    }

    @Test
    void aPublishOverTheMaximumMessageSizeIsRefusedTypedAndStoresNothing() throws Exception {
        start(b -> b.maxMessageBytes(1000));
        svc.subscribe(new SubscribeRequest("t", "s", StartPosition.EARLIEST));
        List<byte[]> batch = List.of(new byte[10], new byte[1001]);
        assertThatThrownBy(
                        () -> svc.publish(new PublishRequest("t", 0, 0, batch)).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(RemoteException.class)
                .satisfies(e -> assertThat(((RemoteException) e).remoteClassName())
                        .isEqualTo(MessageTooLargeException.class.getName()));
        assertThat(broker.stats("t", "s").endOffset()).isZero();
    }

    @Test
    void theServerCapsTheClientsPrefetch() throws Exception {
        start(b -> b.maxPrefetch(10));
        svc.subscribe(new SubscribeRequest("t", "s", StartPosition.EARLIEST));
        publish("t", 50, 10);
        assertThat(fetch("t", "c", 1000)).hasSize(10);
        assertThat(fetch("t", "c", 1000)).as("no credit beyond the cap").isEmpty();
    }

    @Test
    void acksAndNacksTouchOnlyTheCallersOwnDeliveries() throws Exception {
        start(b -> b);
        svc.subscribe(new SubscribeRequest("t", "s", StartPosition.EARLIEST));
        publish("t", 4, 10);
        List<Delivery> a = fetch("t", "a", 2);
        List<Delivery> b = fetch("t", "b", 2);
        long aOffset = a.get(0).offset();
        long bOffset = b.get(0).offset();
        assertThat(svc.ack(new AckRequest("t", "s", "b", new long[] {aOffset})).get())
                .as("not b's")
                .isZero();
        assertThat(svc.nack(new NackRequest("t", "s", "b", new long[] {aOffset}, 0, "x"))
                        .get())
                .isZero();
        assertThat(svc.ack(new AckRequest("t", "s", "c", new long[] {99})).get())
                .as("never delivered")
                .isZero();
        assertThat(broker.stats("t", "s").inFlight()).isEqualTo(4);
        assertThat(svc.ack(new AckRequest("t", "s", "a", new long[] {aOffset})).get())
                .isEqualTo(1);
        assertThat(svc.ack(new AckRequest("t", "s", "b", new long[] {bOffset})).get())
                .isEqualTo(1);
        assertThat(broker.stats("t", "s").inFlight()).isEqualTo(2);
    }

    @Test
    void aDamagedRecordIsAGapThatIsNeverAcknowledgedByItself() throws Exception {
        start(b -> b);
        svc.subscribe(new SubscribeRequest("t", "s", StartPosition.EARLIEST));
        publish("t", 10, 20);
        broker.close();
        Path segment = dir.resolve("topics/t/00000000000000000000.log");
        int recordSize = RecordFormat.HEADERS_OFFSET + 20;
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {0x7f}), 4L * recordSize + RecordFormat.LENGTH_OFFSET + 3);
        }
        start(b -> b);
        assertThat(broker.recoveryReport()).anySatisfy(l -> assertThat(l).contains("damaged"));
        List<Delivery> got = fetch("t", "c", 100);
        assertThat(got).extracting(Delivery::offset).containsExactly(0L, 1L, 2L, 3L, 5L, 6L, 7L, 8L, 9L);
        long[] offsets = got.stream().mapToLong(Delivery::offset).toArray();
        svc.ack(new AckRequest("t", "s", "c", offsets)).get();
        SubscriptionStats stats = broker.stats("t", "s");
        assertThat(stats.ackFloor()).as("the floor stops at the gap").isEqualTo(4);
        assertThat(stats.missing()).isEqualTo(1);
        assertThat(stats.backlog()).isEqualTo(1);
        assertThat(svc.acknowledgeLoss("t", "s", 0, 10)).isEqualTo(1);
        assertThat(broker.stats("t", "s").ackFloor()).isEqualTo(10);
        assertThat(broker.stats("t", "s").missing()).isZero();
    }

    @Test
    void aConsumerWhoseHandlerOutlastsTheSessionTimeoutKeepsItsSession() throws Exception {
        // a session timeout well above the host's pauses under load (up to 2.3 s seen), so that only a
        // broker that expires a busy consumer's session fails the test
        start(b -> b.sessionTimeout(Duration.ofMillis(3000)));
        svc.subscribe(new SubscribeRequest("t", "s", StartPosition.EARLIEST));
        publish("t", 1, 10);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger deliveries = new AtomicInteger();
        try (MqClient client = MqClient.connect("127.0.0.1:" + broker.port())) {
            Subscriber sub =
                    client.subscribe("t", "s", SubscribeOptions.defaults().prefetch(1), m -> {
                        deliveries.incrementAndGet();
                        release.await();
                    });
            await().atMost(Duration.ofSeconds(10)).until(() -> deliveries.get() == 1);
            // more than two session timeouts with the only credit held by a busy handler: no redelivery
            await().during(Duration.ofSeconds(7))
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> broker.stats("t", "s").consumers() == 1
                            && broker.stats("t", "s").inFlight() == 1);
            release.countDown();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> broker.stats("t", "s").ackFloor() == 1);
            assertThat(deliveries.get()).isEqualTo(1);
            sub.close();
        }
    }

    @Test
    void aFullDiskRefusesPublishesTypedKeepsAcksHeldAndResumesWithNothingLost() throws Exception {
        SimulatedDisk disk = SimulatedDisk.open(dir.resolve("disk"));
        closeLast.add(disk);
        broker = EmbeddedBroker.start(
                BrokerConfig.builder(dir.resolve("disk")).storage(disk).build());
        rpc = RpcClient.builder().build();
        svc = rpc.reference(BrokerService.class)
                .address("127.0.0.1", broker.port())
                .timeout(Duration.ofSeconds(20))
                .build();
        svc.subscribe(new SubscribeRequest("t", "s", StartPosition.EARLIEST));
        publish("t", 10, 100);
        List<Delivery> held = fetch("t", "c", 5);
        disk.quota(disk.usedBytes());

        assertThatThrownBy(() -> publish("t", 1, 100))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(RemoteException.class)
                .satisfies(e -> assertThat(((RemoteException) e).remoteClassName())
                        .isEqualTo(StorageFullException.class.getName()));
        long[] offsets = held.stream().mapToLong(Delivery::offset).toArray();
        assertThatThrownBy(() -> svc.ack(new AckRequest("t", "s", "c", offsets)).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class);
        assertThat(broker.stats("t", "s").inFlight())
                .as("an ack not stored leaves nothing")
                .isEqualTo(5);

        disk.quota(-1);
        publish("t", 1, 100);
        assertThat(svc.ack(new AckRequest("t", "s", "c", offsets)).get()).isEqualTo(5);
        List<Long> rest = fetch("t", "c", 100).stream().map(Delivery::offset).toList();
        assertThat(rest).containsExactly(5L, 6L, 7L, 8L, 9L, 10L);
    }

    /** Dead-lettering into a topic whose fsync fails neither deadlocks nor loses the message. */
    @Test
    void aFailingFsyncWhileDeadLetteringKeepsTheBrokerServingAndTheMessageHeld() throws Exception {
        start(b -> b.maxDeliveries(1)
                .backoff(Duration.ofMillis(1), Duration.ofMillis(20))
                .topicLog(
                        "t.s.dlq",
                        dev.courier.mq.broker.storage.LogConfig.builder()
                                .syncer(f -> {
                                    throw new java.io.IOException("injected EIO");
                                })
                                .build()));
        svc.subscribe(new SubscribeRequest("t", "s", StartPosition.EARLIEST));
        svc.subscribe(new SubscribeRequest("u", "s", StartPosition.EARLIEST));
        publish("t", 1, 10);
        List<Delivery> first = fetch("t", "c", 1);
        svc.nack(new NackRequest("t", "s", "c", new long[] {first.get(0).offset()}, 1, "bad"))
                .get();
        // the redelivery is due: fetches try to dead-letter it, and the dead-letter topic's fsync fails
        for (int i = 0; i < 5; i++) {
            assertThat(fetch("t", "c", 1)).isEmpty();
            publish("u", 1, 10);
        }
        assertThat(fetch("u", "c", 10)).hasSize(5);
        SubscriptionStats stats = broker.stats("t", "s");
        assertThat(stats.ackFloor())
                .as("not acknowledged while its dead letter is not durable")
                .isZero();
        assertThat(stats.deadLettered()).isZero();
    }
}
