package dev.courier.mq.client;

import dev.courier.mq.client.internal.Codec;
import dev.courier.mq.client.protocol.PublishRequest;
import dev.courier.mq.client.protocol.PublishResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A producer that gives up on messages after its send timeout never lets a message be stored twice,
 * even when the broker stored batches whose answers were lost.
 */
class ProducerGiveUpTest {

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    /** Stores what it is sent, deduplicating by producer id and sequence as the broker does. */
    private static final class LossyBroker extends PublishOnlyBroker {
        volatile boolean answersLost = true;
        final AtomicInteger calls = new AtomicInteger();
        final Map<String, Set<Long>> storedUnder = new HashMap<>();
        final Set<String> seen = new HashSet<>();
        final AtomicLong offsets = new AtomicLong();

        @Override
        public synchronized CompletableFuture<PublishResult> publish(PublishRequest request) {
            calls.incrementAndGet();
            long[] out = new long[request.payloads().size()];
            for (int i = 0; i < out.length; i++) {
                String payload = new String(request.payloads().get(i), StandardCharsets.UTF_8);
                if (seen.add(request.producerId() + "/" + (request.firstSequence() + i))) {
                    storedUnder.computeIfAbsent(payload, k -> new HashSet<>()).add(request.producerId());
                }
                out[i] = offsets.getAndIncrement();
            }
            return answersLost
                    ? CompletableFuture.failedFuture(new IllegalStateException("answer lost"))
                    : CompletableFuture.completedFuture(new PublishResult(out, 0));
        }

        synchronized int timesStored(String payload) {
            return storedUnder.getOrDefault(payload, Set.of()).size();
        }
    }

    @Test
    void aGiveUpNeverResendsUnderANewProducerIdWhatTheOldOneMayHaveStored() throws Exception {
        LossyBroker broker = new LossyBroker();
        AtomicLong nanos = new AtomicLong();
        Producer producer = new Producer("t", broker, scheduler, new Codec(), Duration.ofSeconds(10), nanos::get);
        CompletableFuture<MessageId> old = producer.send("old".getBytes(StandardCharsets.UTF_8));
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.calls.get() >= 2);
        nanos.set(TimeUnit.SECONDS.toNanos(8));
        CompletableFuture<MessageId> young = producer.send("young".getBytes(StandardCharsets.UTF_8));
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.timesStored("young") == 1);
        // "old" is past the send timeout now; "young" is 2.5 s old and was stored under the current id
        nanos.set(TimeUnit.MILLISECONDS.toNanos(10_500));
        await().atMost(Duration.ofSeconds(20)).until(old::isDone);
        broker.answersLost = false;
        CompletableFuture<MessageId> later = producer.send("later".getBytes(StandardCharsets.UTF_8));
        later.get(20, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(young::isDone);

        assertThat(old).isCompletedExceptionally();
        assertThat(broker.timesStored("young"))
                .as("stored under one producer id only")
                .isEqualTo(1);
        assertThat(broker.timesStored("later")).isEqualTo(1);
        producer.close();
    }
}
