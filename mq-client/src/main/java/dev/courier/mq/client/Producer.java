package dev.courier.mq.client;

import dev.courier.mq.client.internal.Codec;
import dev.courier.mq.client.protocol.BrokerService;
import dev.courier.mq.client.protocol.PublishRequest;
import dev.courier.mq.client.protocol.PublishResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Publishes to one topic. Sends made while a batch is in flight are collected into the next batch
 * (one batch in flight at a time, which keeps order and makes retries safe). Every message carries
 * this producer's id and a sequence number, so when a batch is resent after a lost connection or a
 * broker restart the broker drops the copies it already stored.
 *
 * <p>{@link #send} returns a future completed with the {@link MessageId} only after the broker's
 * durable acknowledgement; failed attempts are retried with backoff until the send timeout
 * (default 30 s), then the future fails with {@link MqException}. Futures complete on the client's
 * I/O thread: use the {@code ...Async} variants for callbacks that block.
 *
 * <p>This class is thread-safe. {@link #close()} waits for sends in flight (up to the send timeout).
 */
public final class Producer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Producer.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_BATCH_BYTES = 1 << 20;
    private static final int MAX_BATCH_MESSAGES = 4096;

    private final String topic;
    private final BrokerService broker;
    private final ScheduledExecutorService scheduler;
    private final Codec codec;
    private final long sendTimeoutMillis;
    private final long producerId = RANDOM.nextLong() & Long.MAX_VALUE | 1L;
    private final ArrayDeque<PendingSend> queue = new ArrayDeque<>();
    private List<PendingSend> inFlight;
    private long nextSequence = 1;
    private boolean closed;

    private record PendingSend(long sequence, byte[] payload, long createdNanos, CompletableFuture<MessageId> future) {
    }

    Producer(String topic, BrokerService broker, ScheduledExecutorService scheduler, Codec codec, Duration sendTimeout) {
        this.topic = topic;
        this.broker = broker;
        this.scheduler = scheduler;
        this.codec = codec;
        this.sendTimeoutMillis = sendTimeout.toMillis();
    }

    public String topic() {
        return topic;
    }

    /** Sends raw bytes. */
    public CompletableFuture<MessageId> send(byte[] payload) {
        CompletableFuture<MessageId> f = new CompletableFuture<>();
        synchronized (this) {
            if (closed) {
                f.completeExceptionally(new MqException("The producer is closed"));
                return f;
            }
            queue.add(new PendingSend(nextSequence++, payload, System.nanoTime(), f));
        }
        trySend();
        return f;
    }

    /** Sends an object serialized with rpc-serialization (read it back with {@link Message#as}). */
    public CompletableFuture<MessageId> send(Object message) {
        if (message instanceof byte[] bytes) {
            return send(bytes);
        }
        return send(codec.encode(message));
    }

    private void trySend() {
        List<PendingSend> batch;
        synchronized (this) {
            if (inFlight != null || queue.isEmpty()) {
                return;
            }
            batch = new ArrayList<>();
            long bytes = 0;
            while (!queue.isEmpty() && batch.size() < MAX_BATCH_MESSAGES
                    && (batch.isEmpty() || bytes + queue.peek().payload().length <= MAX_BATCH_BYTES)) {
                PendingSend p = queue.poll();
                bytes += p.payload().length;
                batch.add(p);
            }
            inFlight = batch;
        }
        dispatch(batch, 50);
    }

    private void dispatch(List<PendingSend> batch, long backoffMillis) {
        List<byte[]> payloads = new ArrayList<>(batch.size());
        for (PendingSend p : batch) {
            payloads.add(p.payload());
        }
        CompletableFuture<PublishResult> call;
        try {
            call = broker.publish(new PublishRequest(topic, producerId, batch.get(0).sequence(), payloads));
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        call.whenComplete((result, error) -> {
            if (error == null) {
                synchronized (this) {
                    inFlight = null;
                    notifyAll();
                }
                for (int i = 0; i < batch.size(); i++) {
                    batch.get(i).future().complete(new MessageId(topic, result.offsets()[i]));
                }
                trySend();
                return;
            }
            long ageMillis = (System.nanoTime() - batch.get(0).createdNanos()) / 1_000_000;
            if (ageMillis + backoffMillis >= sendTimeoutMillis || scheduler.isShutdown()) {
                synchronized (this) {
                    inFlight = null;
                    notifyAll();
                }
                MqException ex = new MqException("Send to " + topic + " not acknowledged within " + sendTimeoutMillis
                        + " ms", error);
                batch.forEach(p -> p.future().completeExceptionally(ex));
                trySend();
                return;
            }
            log.debug("Publish to {} failed ({}); resending {} messages in {} ms", topic, error, batch.size(),
                    backoffMillis);
            scheduler.schedule(() -> dispatch(batch, Math.min(backoffMillis * 2, 2000)), backoffMillis,
                    TimeUnit.MILLISECONDS);
        });
    }

    /** Messages sent and not yet acknowledged or failed. */
    public synchronized int pending() {
        return queue.size() + (inFlight == null ? 0 : inFlight.size());
    }

    /** Waits until every send made so far is acknowledged or failed, up to {@code timeout}. */
    public boolean flush(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (inFlight != null || !queue.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return true;
        }
    }

    /** Refuses further sends and waits for those in flight, up to the send timeout. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        try {
            flush(Duration.ofMillis(sendTimeoutMillis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
