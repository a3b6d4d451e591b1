package dev.courier.mq.broker;

import dev.courier.mq.client.MessageId;
import dev.courier.mq.client.MqClient;
import dev.courier.mq.client.Producer;
import dev.courier.mq.client.Transaction;
import dev.courier.mq.client.TransactionOutcome;
import dev.courier.mq.client.protocol.AckRequest;
import dev.courier.mq.client.protocol.Delivery;
import dev.courier.mq.client.protocol.EndTransactionRequest;
import dev.courier.mq.client.protocol.FetchRequest;
import dev.courier.mq.client.protocol.StartPosition;
import dev.courier.mq.client.protocol.SubscribeRequest;
import dev.courier.mq.client.protocol.TransactionCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Transactional messages: half messages invisible until committed, checked when their producer vanished. */
class TransactionTest {

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

    private void start() throws Exception {
        broker = Broker.start(
                BrokerConfig.builder(dir)
                        .transactionChecks(Duration.ofMillis(200), 3)
                        .build(),
                "127.0.0.1",
                0);
    }

    private void restart() throws Exception {
        clients.forEach(MqClient::close);
        clients.clear();
        broker.close();
        start();
    }

    private MqClient client() {
        MqClient c = MqClient.connect("127.0.0.1:" + broker.port());
        clients.add(c);
        return c;
    }

    /** Fetches with no wait and acknowledges what came. */
    private List<Delivery> take(MqClient c) throws Exception {
        List<Delivery> got = c.broker()
                .fetch(new FetchRequest("orders", "billing", "c1", 100, 100, 0, 30_000))
                .get(10, TimeUnit.SECONDS)
                .messages();
        if (!got.isEmpty()) {
            c.broker()
                    .ack(new AckRequest(
                            "orders",
                            "billing",
                            "c1",
                            got.stream().mapToLong(Delivery::offset).toArray()))
                    .get(10, TimeUnit.SECONDS);
        }
        return got;
    }

    private List<String> awaitBodies(MqClient c, int count) {
        List<String> bodies = new ArrayList<>();
        await().atMost(20, TimeUnit.SECONDS).until(() -> {
            take(c).forEach(d -> bodies.add(new String(d.payload())));
            return bodies.size() >= count;
        });
        return bodies;
    }

    private static TransactionOutcome never(TransactionCheck c) {
        return TransactionOutcome.UNKNOWN;
    }

    @Test
    void aCommitMakesEveryMessageOfTheTransactionVisibleAndNotBefore() throws Exception {
        start();
        MqClient c = client();
        c.broker().subscribe(new SubscribeRequest("orders", "billing", StartPosition.EARLIEST));
        Producer p = c.transactionalProducer("orders", "shop", TransactionTest::never);
        Transaction t = p.transaction();
        t.newMessage()
                .key("o-1")
                .header("kind", "paid")
                .payload("a".getBytes())
                .send()
                .get(10, TimeUnit.SECONDS);
        t.send("b".getBytes()).get(10, TimeUnit.SECONDS);
        p.send("outside".getBytes()).get(10, TimeUnit.SECONDS);

        assertThat(take(c)).extracting(d -> new String(d.payload())).containsExactly("outside");
        assertThat(broker.transactions("orders")[0]).isEqualTo(1);

        assertThat(t.commit()).isEqualTo(2);

        List<Delivery> got = take(c);
        assertThat(got).extracting(d -> new String(d.payload())).containsExactly("a", "b");
        assertThat(got.get(0).key()).isEqualTo("o-1");
        assertThat(got.get(0).headers()).containsEntry("kind", "paid").doesNotContainKey("courier.txn");
        assertThat(broker.transactions("orders")[0]).isZero();
        assertThat(broker.stats("orders", "billing").backlog()).isZero();
    }

    @Test
    void aRollbackDiscardsTheTransaction() throws Exception {
        start();
        MqClient c = client();
        c.broker().subscribe(new SubscribeRequest("orders", "billing", StartPosition.EARLIEST));
        Producer p = c.transactionalProducer("orders", "shop", TransactionTest::never);
        Transaction t = p.transaction();
        t.send("a".getBytes()).get(10, TimeUnit.SECONDS);

        assertThat(t.rollback()).isEqualTo(1);
        p.send("after".getBytes()).get(10, TimeUnit.SECONDS);

        assertThat(take(c)).extracting(d -> new String(d.payload())).containsExactly("after");
        assertThat(broker.stats("orders", "billing").backlog()).isZero();
        assertThatThrownBy(t::commit).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void sendInTransactionEndsAsTheLocalTransactionDecides() throws Exception {
        start();
        MqClient c = client();
        c.broker().subscribe(new SubscribeRequest("orders", "billing", StartPosition.EARLIEST));
        Producer p = c.transactionalProducer("orders", "shop", TransactionTest::never);
        List<MessageId> halves = new CopyOnWriteArrayList<>();

        assertThat(p.sendInTransaction("kept".getBytes(), half -> {
                    halves.add(half);
                    return TransactionOutcome.COMMIT;
                }))
                .isEqualTo(TransactionOutcome.COMMIT);
        assertThat(p.sendInTransaction("dropped".getBytes(), half -> TransactionOutcome.ROLLBACK))
                .isEqualTo(TransactionOutcome.ROLLBACK);
        assertThat(p.sendInTransaction("failed".getBytes(), half -> {
                    throw new IllegalStateException("the database said no");
                }))
                .isEqualTo(TransactionOutcome.ROLLBACK);

        assertThat(take(c)).extracting(d -> new String(d.payload())).containsExactly("kept");
        assertThat(halves).hasSize(1);
        assertThat(broker.transactions("orders")[0]).isZero();
    }

    @Test
    void aProducerThatVanishesBeforeDecidingIsAnsweredForByAnotherMemberOfItsGroup() throws Exception {
        start();
        Set<String> committedInTheDatabase = ConcurrentHashMap.newKeySet();
        MqClient crashing = client();
        crashing.broker().subscribe(new SubscribeRequest("orders", "billing", StartPosition.EARLIEST));
        Transaction t = crashing.transactionalProducer("orders", "shop", TransactionTest::never)
                .transaction();
        t.send("paid order".getBytes()).get(10, TimeUnit.SECONDS);
        committedInTheDatabase.add(t.id()); // the local transaction committed, then the producer died
        crashing.close();

        MqClient survivor = client();
        List<TransactionCheck> asked = new CopyOnWriteArrayList<>();
        survivor.transactionalProducer("orders", "shop", check -> {
            asked.add(check);
            return committedInTheDatabase.contains(check.transaction())
                    ? TransactionOutcome.COMMIT
                    : TransactionOutcome.ROLLBACK;
        });

        assertThat(awaitBodies(survivor, 1)).containsExactly("paid order");
        assertThat(asked).first().satisfies(check -> {
            assertThat(check.topic()).isEqualTo("orders");
            assertThat(check.transaction()).isEqualTo(t.id());
            assertThat(check.messages()).isEqualTo(1);
        });
    }

    @Test
    void aTransactionNoCheckerCanResolveIsRolledBackAndReported() throws Exception {
        start();
        MqClient c = client();
        c.broker().subscribe(new SubscribeRequest("orders", "billing", StartPosition.EARLIEST));
        List<TransactionCheck> asked = new CopyOnWriteArrayList<>();
        Transaction t = c.transactionalProducer("orders", "shop", check -> {
                    asked.add(check);
                    return TransactionOutcome.UNKNOWN;
                })
                .transaction();
        t.send("limbo".getBytes()).get(10, TimeUnit.SECONDS);

        await().atMost(20, TimeUnit.SECONDS).until(() -> broker.transactions("orders")[1] == 1);
        assertThat(broker.transactions("orders")[0]).isZero();
        assertThat(asked).extracting(TransactionCheck::check).containsExactly(1, 2, 3);
        assertThat(c.broker()
                        .endTransaction(new EndTransactionRequest("orders", t.id(), true))
                        .get(10, TimeUnit.SECONDS))
                .as("too late: it was rolled back")
                .isZero();
        assertThat(take(c)).isEmpty();
    }

    @Test
    void theBrokerCrashingBetweenCommitAndDeliveryLosesNothingAndRepeatsNothing() throws Exception {
        start();
        MqClient c = client();
        c.broker().subscribe(new SubscribeRequest("orders", "billing", StartPosition.EARLIEST));
        Transaction committed = c.transactionalProducer("orders", "shop", TransactionTest::never)
                .transaction();
        committed.send("committed".getBytes()).get(10, TimeUnit.SECONDS);
        committed.commit();
        Transaction open = c.transactionalProducer("orders", "shop", TransactionTest::never)
                .transaction();
        open.send("open".getBytes()).get(10, TimeUnit.SECONDS);
        restart();

        MqClient after = client();
        assertThat(broker.transactions("orders")[0])
                .as("the open one is open again")
                .isEqualTo(1);
        after.transactionalProducer(
                "orders",
                "shop",
                check ->
                        check.transaction().equals(open.id()) ? TransactionOutcome.COMMIT : TransactionOutcome.UNKNOWN);
        assertThat(awaitBodies(after, 2)).containsExactly("committed", "open");
        restart();

        MqClient again = client();
        assertThat(broker.transactions("orders")[0]).isZero();
        again.producer("orders").send("marker".getBytes()).get(10, TimeUnit.SECONDS);
        assertThat(awaitBodies(again, 1)).as("nothing committed twice").containsExactly("marker");
    }

    @Test
    void aTransactionNeedsAGroupAndTakesNoDelay() throws Exception {
        start();
        MqClient c = client();
        assertThatThrownBy(() -> c.producer("orders").transaction()).isInstanceOf(IllegalStateException.class);
        Transaction t = c.transactionalProducer("orders", "shop", TransactionTest::never)
                .transaction();
        assertThatThrownBy(() -> t.newMessage()
                        .payload("x".getBytes())
                        .deliverAfter(Duration.ofSeconds(1))
                        .send()
                        .get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasMessageContaining("cannot be delayed");
        assertThatThrownBy(() -> {
                    t.send("x".getBytes());
                    t.commit();
                    t.commit();
                })
                .isInstanceOf(IllegalStateException.class);
    }
}
