package dev.courier.mq.client;

import dev.courier.mq.client.internal.Codec;
import dev.courier.mq.client.protocol.BrokerService;
import dev.courier.mq.client.protocol.MessageProperties;
import dev.courier.mq.client.protocol.MessageTooLargeException;
import dev.courier.mq.client.protocol.PublishRequest;
import dev.courier.mq.client.protocol.PublishResult;
import dev.courier.rpc.AuthenticationException;
import dev.courier.rpc.PermissionDeniedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Publishes to one topic. Sends are collected into batches: with nothing in flight a send goes at
 * once; while batches are in flight the next goes once enough has queued (64 messages or 64 KiB), up
 * to {@value #MAX_IN_FLIGHT} batches in flight at once on the client's connection; the broker stores one connection's
 * publishes in
 * the order sent, so messages of one producer are stored in send order. Every message carries this
 * producer's id and a sequence number: the broker drops a resent copy of what it already stored and
 * refuses a batch that skips sequences.
 *
 * <p><b>Failures.</b> When a batch fails (lost connection, broker restart, refused), nothing more is
 * sent until every batch in flight has answered; then every unacknowledged message is resent from the
 * oldest, one batch at a time until one succeeds, with backoff (50 ms doubling to 2 s). So nothing is
 * lost and nothing is stored twice. A message still unacknowledged after the send timeout (default
 * 30 s) fails its future with {@link MqException} — it may or may not have been stored — and so
 * does every other message of the failed batches (each may have been stored too); the producer then
 * continues under a new producer id (the broker would otherwise refuse the gap they leave) with the
 * messages never sent. So even a give-up never stores a message twice: a message is only ever sent
 * under one producer id.
 *
 * <p>{@link #send} returns a future completed with the {@link MessageId} only after the broker's
 * durable acknowledgement. Futures complete on the client's I/O thread: use the {@code ...Async}
 * variants for callbacks that block.
 *
 * <p>This class is thread-safe. {@link #close()} waits for sends in flight (up to the send timeout).
 */
public final class Producer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Producer.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_BATCH_BYTES = 1 << 20;
    /** The largest message sent: the broker's default {@code max.message.bytes}. */
    public static final int MAX_MESSAGE_BYTES = 8 << 20;

    private static final int MAX_BATCH_MESSAGES = 4096;
    /** Batches in flight at once once the connection is known to work. */
    static final int MAX_IN_FLIGHT = 5;
    /** While batches are in flight, another goes once this many messages or bytes are queued. */
    private static final int PIPELINE_MESSAGES = 64;

    private static final int PIPELINE_BYTES = 64 << 10;
    private static final long FIRST_BACKOFF_MILLIS = 50;
    private static final long MAX_BACKOFF_MILLIS = 2000;

    private final java.util.function.LongSupplier nanoClock;
    private final String topic;
    private final BrokerService broker;
    private final ScheduledExecutorService scheduler;
    private final Codec codec;
    private final long sendTimeoutMillis;
    /** Held while calls are issued, so batches reach the connection in sequence order. Taken before {@code this}. */
    private final Object wire = new Object();

    // guarded by this
    private long producerId = newProducerId();
    private long nextSequence = 1;
    private final ArrayDeque<PendingSend> queue = new ArrayDeque<>();
    private long queuedBytes;
    private final List<Batch> inFlight = new ArrayList<>();
    private final List<Batch> failed = new ArrayList<>();
    private boolean probing = true;
    private boolean recovering;
    private Throwable lastFailure;
    private long backoffMillis = FIRST_BACKOFF_MILLIS;
    private boolean closed;

    private static final class PendingSend {
        long sequence;
        final byte[] payload;
        /** Key, headers and times, or null for a plain body. */
        final MessageProperties properties;
        /** The payload's bytes and what key and headers add. */
        final long size;

        final long createdNanos;
        final CompletableFuture<MessageId> future;

        PendingSend(
                long sequence,
                byte[] payload,
                MessageProperties properties,
                long size,
                long createdNanos,
                CompletableFuture<MessageId> future) {
            this.sequence = sequence;
            this.payload = payload;
            this.properties = properties;
            this.size = size;
            this.createdNanos = createdNanos;
            this.future = future;
        }
    }

    /** Sent together; compared by identity (removing one from the in-flight list must not compare contents). */
    private static final class Batch {
        private final long producerId;
        private final List<PendingSend> sends;

        Batch(long producerId, List<PendingSend> sends) {
            this.producerId = producerId;
            this.sends = sends;
        }

        long producerId() {
            return producerId;
        }

        List<PendingSend> sends() {
            return sends;
        }
    }

    Producer(
            String topic, BrokerService broker, ScheduledExecutorService scheduler, Codec codec, Duration sendTimeout) {
        this(topic, broker, scheduler, codec, sendTimeout, System::nanoTime);
    }

    /** With {@code nanoClock} deciding the age of sends (tests pass a fake one). */
    Producer(
            String topic,
            BrokerService broker,
            ScheduledExecutorService scheduler,
            Codec codec,
            Duration sendTimeout,
            java.util.function.LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.topic = topic;
        this.broker = broker;
        this.scheduler = scheduler;
        this.codec = codec;
        this.sendTimeoutMillis = sendTimeout.toMillis();
    }

    private static long newProducerId() {
        return RANDOM.nextLong() & Long.MAX_VALUE | 1L;
    }

    public String topic() {
        return topic;
    }

    Codec codec() {
        return codec;
    }

    long sendTimeoutMillis() {
        return sendTimeoutMillis;
    }

    /** The producer group of its transactions, or null (see {@link MqClient#transactionalProducer}). */
    private volatile String group;

    void group(String group) {
        this.group = group;
    }

    /**
     * Begins a transaction (RocketMQ's transactional message; the "local message table" pattern made safe): its
     * sends are half messages until it is committed. Needs a producer with a group.
     *
     * @throws IllegalStateException for a producer without a group
     */
    public Transaction transaction() {
        String g = group;
        if (g == null) {
            throw new IllegalStateException(
                    "Transactions need a producer with a group and a checker: MqClient.transactionalProducer");
        }
        return new Transaction(this, broker, g);
    }

    /**
     * Sends {@code payload} as a half message, runs {@code local} once it is stored, and ends the transaction
     * as {@code local} decides: committed, rolled back (also when it throws), or left to the group's checker
     * ({@link TransactionOutcome#UNKNOWN}). Blocks for the send and the decision.
     *
     * @return the outcome {@code local} gave
     */
    public TransactionOutcome sendInTransaction(byte[] payload, LocalTransaction local) {
        Transaction t = transaction();
        MessageId half;
        try {
            half = t.send(payload).get(sendTimeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MqException("Interrupted while sending a half message", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new MqException("The half message of transaction " + t.id() + " was not stored", e);
        }
        TransactionOutcome outcome;
        try {
            outcome = local.execute(half);
        } catch (Exception e) {
            log.warn("The local transaction of {} failed; rolling back", t.id(), e);
            outcome = TransactionOutcome.ROLLBACK;
        }
        if (outcome == TransactionOutcome.COMMIT) {
            t.commit();
        } else if (outcome == TransactionOutcome.ROLLBACK) {
            t.rollback();
        }
        return outcome;
    }

    /** Sends raw bytes. */
    public CompletableFuture<MessageId> send(byte[] payload) {
        return send(payload, null);
    }

    /**
     * A message with a key, headers or times to build and {@linkplain OutgoingMessage#send() send}:
     * {@code producer.newMessage().key("order-7").header("region", "eu").value(order).send()}.
     */
    public OutgoingMessage newMessage() {
        return new OutgoingMessage(this, codec);
    }

    /** Sends a body with its properties (null for a plain body). */
    CompletableFuture<MessageId> send(byte[] payload, MessageProperties properties) {
        CompletableFuture<MessageId> f = new CompletableFuture<>();
        long size = payload.length;
        if (properties != null) {
            try {
                size += properties.validate();
            } catch (IllegalArgumentException e) {
                f.completeExceptionally(e);
                return f;
            }
        }
        if (size > MAX_MESSAGE_BYTES) {
            f.completeExceptionally(new MessageTooLargeException("A message of " + size
                    + " bytes (body, key and headers) is larger than the most a broker takes by default ("
                    + MAX_MESSAGE_BYTES + "); not sent"));
            return f;
        }
        synchronized (this) {
            if (closed) {
                f.completeExceptionally(new MqException("The producer is closed"));
                return f;
            }
            queue.add(new PendingSend(nextSequence++, payload, properties, size, nanoClock.getAsLong(), f));
            queuedBytes += size;
        }
        pump();
        return f;
    }

    /** Sends an object serialized with rpc-serialization (read it back with {@link Message#as}). */
    public CompletableFuture<MessageId> send(Object message) {
        if (message instanceof byte[] bytes) {
            return send(bytes);
        }
        return send(codec.encode(message));
    }

    /** Sends batches while the window allows. */
    private void pump() {
        synchronized (this) {
            if (!canSend()) {
                return; // whoever makes a batch possible pumps again
            }
        }
        synchronized (wire) {
            while (true) {
                Batch batch;
                synchronized (this) {
                    batch = nextBatch();
                }
                if (batch == null) {
                    return;
                }
                issue(batch);
            }
        }
    }

    private boolean canSend() {
        if (recovering || queue.isEmpty()) {
            return false;
        }
        return inFlight.isEmpty()
                || !probing
                        && inFlight.size() < MAX_IN_FLIGHT
                        && (queue.size() >= PIPELINE_MESSAGES || queuedBytes >= PIPELINE_BYTES);
    }

    /**
     * The next batch to send, or null. With nothing in flight, whatever is queued goes at once; while
     * batches are in flight another one goes only once enough has queued to make a worthwhile batch,
     * so a light load is sent with the least delay and a heavy one in large batches, pipelined.
     */
    private Batch nextBatch() {
        if (!canSend()) {
            return null;
        }
        List<PendingSend> sends = new ArrayList<>();
        long bytes = 0;
        while (!queue.isEmpty()
                && sends.size() < MAX_BATCH_MESSAGES
                && (sends.isEmpty() || bytes + queue.peek().size <= MAX_BATCH_BYTES)) {
            PendingSend p = queue.poll();
            queuedBytes -= p.size;
            bytes += p.size;
            sends.add(p);
        }
        Batch batch = new Batch(producerId, sends);
        inFlight.add(batch);
        return batch;
    }

    private void issue(Batch batch) {
        List<byte[]> payloads = new ArrayList<>(batch.sends().size());
        List<MessageProperties> properties = null;
        for (PendingSend p : batch.sends()) {
            if (p.properties != null && properties == null) {
                properties = new ArrayList<>(batch.sends().size());
                for (int i = 0; i < payloads.size(); i++) {
                    properties.add(MessageProperties.NONE); // not null: not every serializer keeps null elements
                }
            }
            payloads.add(p.payload);
            if (properties != null) {
                properties.add(p.properties == null ? MessageProperties.NONE : p.properties);
            }
        }
        CompletableFuture<PublishResult> call;
        try {
            call = broker.publish(
                    new PublishRequest(topic, batch.producerId(), batch.sends().get(0).sequence, payloads, properties));
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        call.whenComplete((result, error) -> answered(batch, result, error));
    }

    private void answered(Batch batch, PublishResult result, Throwable error) {
        boolean recoverNow;
        long delay;
        synchronized (this) {
            inFlight.remove(batch);
            if (error == null) {
                probing = false;
                backoffMillis = FIRST_BACKOFF_MILLIS;
            } else {
                failed.add(batch);
                // a call that failed before it was sent (still connecting) arrives wrapped by its stage
                lastFailure = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                        ? error.getCause()
                        : error;
                recovering = true;
            }
            recoverNow = recovering && inFlight.isEmpty();
            delay = backoffMillis;
            notifyAll();
        }
        if (error == null) {
            List<PendingSend> sends = batch.sends();
            for (int i = 0; i < sends.size(); i++) {
                sends.get(i).future.complete(new MessageId(topic, result.offsets()[i]));
            }
        } else {
            log.debug("Publish of {} messages to {} failed ({})", batch.sends().size(), topic, error.toString());
        }
        if (recoverNow) {
            try {
                scheduler.schedule(this::recover, delay, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                recover(); // the client is closing: give up on what is left
            }
        } else {
            pump();
        }
    }

    /**
     * Every batch in flight has answered and some failed: put their messages back at the head of the
     * queue (oldest first) and resend one batch at a time; give up on messages past the send timeout.
     */
    private void recover() {
        List<PendingSend> expired = new ArrayList<>();
        Throwable cause;
        synchronized (this) {
            cause = lastFailure;
            List<PendingSend> resend = new ArrayList<>();
            failed.forEach(b -> resend.addAll(b.sends()));
            failed.clear();
            resend.sort(Comparator.comparingLong(p -> p.sequence));
            long now = nanoClock.getAsLong();
            // refused credentials or permission: resending cannot succeed
            boolean givingUp = scheduler.isShutdown() || isRefusal(cause);
            for (PendingSend p : resend) {
                if (givingUp || (now - p.createdNanos) / 1_000_000 + backoffMillis >= sendTimeoutMillis) {
                    givingUp = true;
                }
            }
            if (givingUp) {
                // Every message of a failed batch may have been stored under the current producer id. Resent
                // under a new id, such a message would be stored twice: so all of them are given up together.
                expired.addAll(resend);
                resend.clear();
            }
            for (int i = resend.size() - 1; i >= 0; i--) {
                queue.addFirst(resend.get(i));
                queuedBytes += resend.get(i).size;
            }
            if (!expired.isEmpty()) {
                // The given-up sequences leave a gap the broker would refuse: continue as a new producer.
                producerId = newProducerId();
                nextSequence = 1;
                for (PendingSend p : queue) {
                    p.sequence = nextSequence++;
                }
            }
            recovering = false;
            probing = true;
            backoffMillis = Math.min(backoffMillis * 2, MAX_BACKOFF_MILLIS);
            notifyAll();
        }
        if (!expired.isEmpty()) {
            MqException ex = isRefusal(cause)
                    ? new MqException("Send to " + topic + " refused: " + cause.getMessage(), cause)
                    : new MqException(
                            "Send to " + topic + " not acknowledged within " + sendTimeoutMillis + " ms", cause);
            expired.forEach(p -> p.future.completeExceptionally(ex));
        }
        pump();
    }

    private static boolean isRefusal(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof AuthenticationException || c instanceof PermissionDeniedException) {
                return true;
            }
        }
        return false;
    }

    /** Messages sent and not yet acknowledged or failed. */
    public synchronized int pending() {
        int n = queue.size();
        for (Batch b : inFlight) {
            n += b.sends().size();
        }
        for (Batch b : failed) {
            n += b.sends().size();
        }
        return n;
    }

    /** Waits until every send made so far is acknowledged or failed, up to {@code timeout}. */
    public boolean flush(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (!queue.isEmpty() || !inFlight.isEmpty() || !failed.isEmpty() || recovering) {
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
