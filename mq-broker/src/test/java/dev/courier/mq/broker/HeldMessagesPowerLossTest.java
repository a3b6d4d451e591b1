package dev.courier.mq.broker;

import dev.courier.mq.broker.storage.SimulatedDisk;
import dev.courier.mq.client.MqClient;
import dev.courier.mq.client.Transaction;
import dev.courier.mq.client.TransactionOutcome;
import dev.courier.mq.client.protocol.AckRequest;
import dev.courier.mq.client.protocol.Delivery;
import dev.courier.mq.client.protocol.FetchRequest;
import dev.courier.mq.client.protocol.StartPosition;
import dev.courier.mq.client.protocol.SubscribeRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Delayed and transactional messages acknowledged before a power loss (a {@link SimulatedDisk} forgetting every
 * write that was not forced) are delivered after it, once each.
 */
class HeldMessagesPowerLossTest {

    @TempDir
    Path dir;

    private final AtomicLong now = new AtomicLong(System.currentTimeMillis());
    private SimulatedDisk disk;
    private Broker broker;
    private MqClient client;

    @AfterEach
    void close() throws Exception {
        if (client != null) {
            client.close();
        }
        if (broker != null) {
            broker.close();
        }
        if (disk != null) {
            disk.close();
        }
    }

    private void start() throws Exception {
        disk = SimulatedDisk.open(dir);
        broker = Broker.start(
                BrokerConfig.builder(dir)
                        .storage(disk)
                        .clock(now::get)
                        .sessionTimeout(Duration.ofHours(1))
                        .transactionChecks(Duration.ofMillis(100), 100)
                        .build(),
                "127.0.0.1",
                0);
        client = MqClient.connect("127.0.0.1:" + broker.port());
    }

    /** Power fails: what was not forced is gone; the broker comes back on what the disk kept. */
    private void powerLoss() throws Exception {
        disk.crash(SimulatedDisk.CrashMode.LOSE_UNSYNCED, new Random(1));
        client.close();
        try {
            broker.close();
        } catch (RuntimeException e) {
            // its files are gone from under it
        }
        disk.close();
        start();
    }

    private List<String> awaitBodies(int count) {
        List<String> bodies = new ArrayList<>();
        await().atMost(20, TimeUnit.SECONDS).until(() -> {
            now.addAndGet(200); // a transaction check missed by a checker not yet connected comes again
            List<Delivery> got = client.broker()
                    .fetch(new FetchRequest("orders", "billing", "c1", 100, 100, 0, 3_600_000))
                    .get(10, TimeUnit.SECONDS)
                    .messages();
            if (!got.isEmpty()) {
                client.broker()
                        .ack(new AckRequest(
                                "orders",
                                "billing",
                                "c1",
                                got.stream().mapToLong(Delivery::offset).toArray()))
                        .get(10, TimeUnit.SECONDS);
            }
            got.forEach(d -> bodies.add(new String(d.payload())));
            return bodies.size() >= count;
        });
        return bodies;
    }

    @Test
    void aDelayedMessageAcknowledgedBeforeAPowerLossIsDeliveredOnceDue() throws Exception {
        start();
        client.broker().subscribe(new SubscribeRequest("orders", "billing", StartPosition.EARLIEST));
        client.producer("orders")
                .newMessage()
                .payload("later".getBytes())
                .deliverAfter(Duration.ofSeconds(5))
                .send()
                .get(10, TimeUnit.SECONDS);

        powerLoss();
        now.addAndGet(5_000);

        assertThat(awaitBodies(1)).containsExactly("later");
        client.producer("orders").send("marker".getBytes()).get(10, TimeUnit.SECONDS);
        assertThat(awaitBodies(1)).containsExactly("marker");
    }

    @Test
    void transactionsCommittedOrOpenBeforeAPowerLossAreDeliveredOnceEach() throws Exception {
        start();
        client.broker().subscribe(new SubscribeRequest("orders", "billing", StartPosition.EARLIEST));
        Transaction committed = client.transactionalProducer("orders", "shop", c -> TransactionOutcome.UNKNOWN)
                .transaction();
        committed.send("committed".getBytes()).get(10, TimeUnit.SECONDS);
        committed.commit();
        Transaction open = client.transactionalProducer("orders", "shop", c -> TransactionOutcome.UNKNOWN)
                .transaction();
        open.send("open".getBytes()).get(10, TimeUnit.SECONDS);

        powerLoss();
        client.transactionalProducer(
                "orders",
                "shop",
                c -> c.transaction().equals(open.id()) ? TransactionOutcome.COMMIT : TransactionOutcome.UNKNOWN);

        assertThat(awaitBodies(2)).containsExactly("committed", "open");
        client.producer("orders").send("marker".getBytes()).get(10, TimeUnit.SECONDS);
        assertThat(awaitBodies(1)).as("nothing committed twice").containsExactly("marker");
    }
}
