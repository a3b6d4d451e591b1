package dev.courier.mq.client;

import dev.courier.mq.client.protocol.BrokerService;
import dev.courier.mq.client.protocol.EndTransactionRequest;
import dev.courier.mq.client.protocol.MessageProperties;
import dev.courier.mq.client.protocol.PublishRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A transaction of a {@link Producer} with a group: messages {@linkplain #send sent} in it are stored as half
 * messages, durable and invisible to subscriptions, until {@link #commit} makes them all visible or
 * {@link #rollback} discards them. Left undecided (the producer crashed, or lost its connection), the
 * transaction is checked with the group's {@link TransactionChecker} on any live member, and rolled back
 * when it stays unresolved. A send in a transaction goes at once, on its own, and is not resent after a
 * failure: the caller decides. Thread-safe.
 */
public final class Transaction {

    private final Producer producer;
    private final BrokerService broker;
    private final String group;
    private final String id = UUID.randomUUID().toString();
    private final List<CompletableFuture<MessageId>> sends = new ArrayList<>();
    private boolean ended;

    Transaction(Producer producer, BrokerService broker, String group) {
        this.producer = producer;
        this.broker = broker;
        this.group = group;
    }

    /** The transaction's id, as the checker is asked about it (store it with the local transaction). */
    public String id() {
        return id;
    }

    /** Sends a half message of this transaction; completes once it is durable. */
    public CompletableFuture<MessageId> send(byte[] payload) {
        return send(payload, null);
    }

    /** A half message with a key, headers or a time to live (a delay is refused in a transaction). */
    public OutgoingMessage newMessage() {
        return new OutgoingMessage(producer, producer.codec(), this);
    }

    synchronized CompletableFuture<MessageId> send(byte[] payload, MessageProperties properties) {
        Objects.requireNonNull(payload, "payload");
        if (ended) {
            return CompletableFuture.failedFuture(new IllegalStateException("Transaction " + id + " is ended"));
        }
        if (properties != null) {
            try {
                properties.validate();
            } catch (IllegalArgumentException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        PublishRequest request = new PublishRequest(
                producer.topic(), 0, 0, List.of(payload), properties == null ? null : List.of(properties), id, group);
        CompletableFuture<MessageId> f;
        try {
            f = broker.publish(request).thenApply(r -> new MessageId(producer.topic(), r.offsets()[0]));
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        sends.add(f);
        return f;
    }

    /**
     * Waits for every send of the transaction, then makes its messages visible; answers how many. A send that
     * failed fails the commit, and the transaction is rolled back instead.
     */
    public int commit() throws MqException {
        return end(true);
    }

    /** Discards the transaction's messages; answers how many were discarded. */
    public int rollback() throws MqException {
        return end(false);
    }

    private int end(boolean commit) {
        List<CompletableFuture<MessageId>> all;
        synchronized (this) {
            if (ended) {
                throw new IllegalStateException("Transaction " + id + " is ended");
            }
            ended = true;
            all = List.copyOf(sends);
        }
        long timeout = producer.sendTimeoutMillis();
        boolean sent = true;
        Throwable failure = null;
        try {
            CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).get(timeout, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            sent = false;
            failure = e;
        }
        try {
            int n = broker.endTransaction(new EndTransactionRequest(producer.topic(), id, commit && sent))
                    .get(timeout, TimeUnit.MILLISECONDS);
            if (commit && !sent) {
                throw new MqException("Transaction " + id + " rolled back: a send failed", failure);
            }
            return n;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MqException("Interrupted while ending transaction " + id, e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new MqException(
                    "Transaction " + id + " could not be ended (the broker asks the group's checkers)", e);
        }
    }
}
