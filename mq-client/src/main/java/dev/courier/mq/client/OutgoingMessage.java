package dev.courier.mq.client;

import dev.courier.mq.client.internal.Codec;
import dev.courier.mq.client.protocol.MessageProperties;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A message being built for {@link Producer#newMessage()}: a body, and optionally a key, headers, a timestamp
 * and a time to live. Not thread-safe; build and send it on one thread. Each {@link #send()} sends the
 * message as it is then, so one builder may send several.
 */
public final class OutgoingMessage {

    private final Producer producer;
    private final Codec codec;
    private byte[] payload;
    private String key;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private long timestamp;
    private long timeToLiveMillis;
    private long delayMillis;

    /** The transaction the message is sent in, or null. */
    private final Transaction transaction;

    OutgoingMessage(Producer producer, Codec codec) {
        this(producer, codec, null);
    }

    OutgoingMessage(Producer producer, Codec codec, Transaction transaction) {
        this.producer = producer;
        this.codec = codec;
        this.transaction = transaction;
    }

    /** The body as bytes (do not modify the array until the send completes). */
    public OutgoingMessage payload(byte[] payload) {
        this.payload = Objects.requireNonNull(payload, "payload");
        return this;
    }

    /** The body as an object serialized with rpc-serialization (read it back with {@link Message#as}). */
    public OutgoingMessage value(Object value) {
        this.payload = value instanceof byte[] bytes ? bytes : codec.encode(value);
        return this;
    }

    /**
     * The key (null or empty: none): subscriptions filter on it and, with key order, deliver one key's
     * messages one at a time in publish order. At most 65,535 bytes of UTF-8.
     */
    public OutgoingMessage key(String key) {
        this.key = key == null || key.isEmpty() ? null : key;
        return this;
    }

    /** A header; names starting with {@code courier.} are the broker's and refused. */
    public OutgoingMessage header(String name, String value) {
        headers.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
        return this;
    }

    public OutgoingMessage headers(Map<String, String> headers) {
        headers.forEach(this::header);
        return this;
    }

    /** The producer's time for the message (consumers read it as {@link Message#timestamp()}). */
    public OutgoingMessage timestamp(Instant time) {
        this.timestamp = time.toEpochMilli();
        return this;
    }

    /**
     * How long after the broker stores it the message may still be delivered; a message not delivered by then
     * is dead-lettered with reason {@code expired} (or dropped, as the broker is configured). The topic's own
     * time to live, when shorter, wins.
     */
    public OutgoingMessage timeToLive(Duration ttl) {
        this.timeToLiveMillis = ttl.toMillis();
        return this;
    }

    /**
     * Delivers the message {@code delay} after the broker stored it (up to 30 days), within some 20 ms; it is
     * stored and acknowledged at once, and its time to live counts from when it is due. The id the send
     * completes with is where the broker keeps it until then; consumers see it at a later offset.
     */
    public OutgoingMessage deliverAfter(Duration delay) {
        this.delayMillis = Math.max(0, delay.toMillis());
        return this;
    }

    /** Delivers the message at {@code time} (by this machine's clock); see {@link #deliverAfter}. */
    public OutgoingMessage deliverAt(Instant time) {
        return deliverAfter(Duration.ofMillis(time.toEpochMilli() - System.currentTimeMillis()));
    }

    /** Sends the message as it is now; see {@link Producer#send(byte[])}. */
    public CompletableFuture<MessageId> send() {
        if (payload == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("A message needs a payload or a value"));
        }
        if (transaction != null) {
            if (delayMillis > 0) {
                return CompletableFuture.failedFuture(
                        new IllegalArgumentException("A message in a transaction cannot be delayed"));
            }
            return transaction.send(payload, properties());
        }
        return producer.send(payload, properties());
    }

    private MessageProperties properties() {
        if (key == null && headers.isEmpty() && timestamp == 0 && timeToLiveMillis == 0 && delayMillis == 0) {
            return null;
        }
        return new MessageProperties(
                key, headers.isEmpty() ? null : new LinkedHashMap<>(headers), timestamp, timeToLiveMillis, delayMillis);
    }
}
