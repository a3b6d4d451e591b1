package dev.courier.mq.client;

import dev.courier.mq.client.internal.Codec;
import dev.courier.mq.client.protocol.PublishRequest;
import dev.courier.mq.client.protocol.PublishResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The producer's window, batching trigger and resend rule, against a fake broker whose every publish
 * is answered by the test.
 */
class ProducerTest {

    /** A broker that holds every publish until the test answers it. Thread-safe. */
    static final class FakeBroker extends PublishOnlyBroker {

        record Call(PublishRequest request, CompletableFuture<PublishResult> answer) {

            int size() {
                return request.payloads().size();
            }

            long firstSequence() {
                return request.firstSequence();
            }

            /** Stores the batch at offsets from {@code firstOffset}. */
            void store(long firstOffset) {
                answer.complete(new PublishResult(
                        LongStream.range(firstOffset, firstOffset + size()).toArray(), 0));
            }

            void fail() {
                answer.completeExceptionally(new IllegalStateException("connection lost"));
            }
        }

        final List<Call> calls = new CopyOnWriteArrayList<>();

        @Override
        public CompletableFuture<PublishResult> publish(PublishRequest request) {
            CompletableFuture<PublishResult> answer = new CompletableFuture<>();
            calls.add(new Call(request, answer));
            return answer;
        }

        Call call(int i) {
            return calls.get(i);
        }

        long unanswered() {
            return calls.stream().filter(c -> !c.answer().isDone()).count();
        }
    }

    /**
     * Holds what the producer schedules (its backoff before a resend) until the test runs it, so no
     * test depends on how fast this machine is. Thread-safe.
     */
    static final class HeldScheduler extends ScheduledThreadPoolExecutor {

        private final List<Runnable> held = new CopyOnWriteArrayList<>();

        HeldScheduler() {
            super(1);
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            held.add(command);
            return super.schedule(() -> {}, 1, TimeUnit.DAYS);
        }

        /** Runs, on the calling thread, what was scheduled so far; answers how many tasks ran. */
        int runHeld() {
            List<Runnable> due = new ArrayList<>(held);
            held.removeAll(due);
            due.forEach(Runnable::run);
            return due.size();
        }
    }

    private final FakeBroker broker = new FakeBroker();
    private final HeldScheduler scheduler = new HeldScheduler();

    @AfterEach
    void stopScheduler() {
        scheduler.shutdownNow();
    }

    private Producer producer(Duration sendTimeout) {
        return new Producer("t", broker, scheduler, new Codec(), sendTimeout);
    }

    private static List<CompletableFuture<MessageId>> send(Producer p, int count, int size) {
        List<CompletableFuture<MessageId>> sends = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            sends.add(p.send(new byte[size]));
        }
        return sends;
    }

    /** A producer past its first acknowledged batch (until then it keeps one batch in flight). */
    private Producer warmProducer() {
        Producer p = producer(Duration.ofSeconds(30));
        CompletableFuture<MessageId> first = p.send(new byte[1]);
        broker.call(0).store(0);
        assertThat(first).isCompletedWithValue(new MessageId("t", 0));
        return p;
    }

    @Test
    void withNothingInFlightASendGoesAtOnceAlone() {
        Producer p = producer(Duration.ofSeconds(30));
        p.send(new byte[10]);

        assertThat(broker.calls).hasSize(1);
        assertThat(broker.call(0).size()).isEqualTo(1);
        assertThat(broker.call(0).firstSequence()).isEqualTo(1);
        assertThat(broker.call(0).request().producerId()).isPositive();
    }

    @Test
    void untilTheFirstAcknowledgementOnlyOneBatchIsInFlight() {
        Producer p = producer(Duration.ofSeconds(30));
        p.send(new byte[1]);
        send(p, 500, 10);

        assertThat(broker.calls).hasSize(1);
        broker.call(0).store(0);
        // the 500 queued behind it go as one batch, then the window opens
        assertThat(broker.calls).hasSize(2);
        assertThat(broker.call(1).size()).isEqualTo(500);
    }

    @Test
    void whileBatchesAreInFlightAnotherGoesOnlyOnce64MessagesAreQueued() {
        Producer p = warmProducer();
        p.send(new byte[10]); // goes at once: nothing in flight
        assertThat(broker.calls).hasSize(2);

        send(p, 63, 10);
        assertThat(broker.calls).as("63 queued are not worth a batch yet").hasSize(2);
        p.send(new byte[10]);
        assertThat(broker.calls).hasSize(3);
        assertThat(broker.call(2).size()).isEqualTo(64);
        assertThat(broker.call(2).firstSequence()).isEqualTo(3);
    }

    @Test
    void whileBatchesAreInFlightAnotherGoesOnce64KibAreQueued() {
        Producer p = warmProducer();
        p.send(new byte[10]);
        assertThat(broker.calls).hasSize(2);

        p.send(new byte[32 << 10]);
        p.send(new byte[(32 << 10) - 1]);
        assertThat(broker.calls).as("one byte short of 64 KiB").hasSize(2);
        p.send(new byte[1]);
        assertThat(broker.calls).hasSize(3);
        assertThat(broker.call(2).size()).isEqualTo(3);
    }

    @Test
    void atMostFiveBatchesAreInFlight() {
        Producer p = warmProducer();
        p.send(new byte[10]);
        send(p, 64 * 10, 10);

        assertThat(broker.calls).hasSize(1 + 5);
        assertThat(broker.unanswered()).isEqualTo(5);
        broker.call(1).store(1);
        // one answer frees one place; what queued meanwhile goes in that one batch
        assertThat(broker.calls).hasSize(1 + 6);
        assertThat(broker.unanswered()).isEqualTo(5);
        assertThat(broker.call(6).size()).isEqualTo(64 * 6);
    }

    @Test
    void afterAFailureItWaitsForTheWindowThenResendsFromTheOldestUnacknowledged() throws Exception {
        Producer p = warmProducer();
        List<CompletableFuture<MessageId>> sends = new ArrayList<>();
        sends.add(p.send(new byte[10])); // call 1: sequence 2
        sends.addAll(send(p, 64 * 3, 10)); // calls 2..4: sequences 3..194
        assertThat(broker.calls).hasSize(5);
        long producerId = broker.call(1).request().producerId();

        broker.call(2).fail(); // sequences 3..66
        sends.addAll(send(p, 64, 10)); // queued, not sent while batches are in flight
        assertThat(scheduler.runHeld())
                .as("no resend is scheduled while batches are in flight")
                .isZero();
        assertThat(broker.calls).hasSize(5);
        broker.call(1).store(1); // sequence 2 is stored
        broker.call(4).fail(); // refused: it skips the sequences of call 2
        assertThat(scheduler.runHeld()).isZero();
        assertThat(broker.calls)
                .as("nothing goes until every batch in flight answered")
                .hasSize(5);
        broker.call(3).fail();

        // after the backoff: everything unacknowledged from the oldest, as the same producer, one batch
        assertThat(broker.calls).hasSize(5);
        assertThat(scheduler.runHeld()).isEqualTo(1);
        assertThat(broker.calls).hasSize(6);
        FakeBroker.Call resend = broker.call(5);
        assertThat(resend.request().producerId()).isEqualTo(producerId);
        assertThat(resend.firstSequence()).isEqualTo(3);
        assertThat(resend.size())
                .as("the three failed batches and the 64 queued behind them")
                .isEqualTo(64 * 4);
        assertThat(sends.get(1)).isNotDone();
        assertThat(sends.get(0)).isCompletedWithValue(new MessageId("t", 1));
        // while the resend is the probe, nothing else goes however much is queued
        send(p, 64 * 3, 10);
        assertThat(broker.calls).hasSize(6);

        resend.store(2);
        assertThat(sends.get(1).get()).isEqualTo(new MessageId("t", 2));
        assertThat(sends.get(64 * 2).get()).isEqualTo(new MessageId("t", 2 + 64 * 2 - 1));
        assertThat(broker.calls).as("the window opens again").hasSize(7);
        assertThat(broker.call(6).firstSequence()).isEqualTo(3 + 64 * 4);
    }

    @Test
    void aMessageStillUnacknowledgedAtTheSendTimeoutFailsAndTheProducerGoesOnUnderANewId() {
        Producer p = producer(Duration.ofMillis(300));
        CompletableFuture<MessageId> lost = p.send(new byte[10]);
        long firstId = broker.call(0).request().producerId();

        // every attempt fails until the message is given up
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            broker.calls.stream().filter(c -> !c.answer().isDone()).forEach(FakeBroker.Call::fail);
            scheduler.runHeld();
            return lost.isDone();
        });
        assertThat(lost)
                .failsWithin(Duration.ZERO)
                .withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(MqException.class)
                .withMessageContaining("not acknowledged within 300 ms");

        CompletableFuture<MessageId> later = p.send(new byte[10]);
        FakeBroker.Call next = broker.calls.get(broker.calls.size() - 1);
        assertThat(next.request().producerId()).isNotEqualTo(firstId);
        assertThat(next.firstSequence()).isEqualTo(1);
        next.store(0);
        assertThat(later).isCompletedWithValue(new MessageId("t", 0));
    }
}
