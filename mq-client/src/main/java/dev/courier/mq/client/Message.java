package dev.courier.mq.client;

import dev.courier.mq.client.internal.Codec;
import dev.courier.mq.client.protocol.Delivery;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One delivered message. Settle it once, by {@link #ack()} or {@link #nack}; later calls are ignored.
 * Thread-safe.
 */
public final class Message {

    /** What a message does when settled; implemented by the consumer that received it. */
    interface Settler {
        void ack(Message m);

        void nack(Message m, Duration delay, String reason);

        void extend(Message m, Duration extension);
    }

    private final String topic;
    private final Delivery delivery;
    private final Codec codec;
    private final Settler settler;
    private final AtomicBoolean settled = new AtomicBoolean();

    Message(String topic, Delivery delivery, Codec codec, Settler settler) {
        this.topic = topic;
        this.delivery = delivery;
        this.codec = codec;
        this.settler = settler;
    }

    public MessageId id() {
        return new MessageId(topic, delivery.offset());
    }

    public long offset() {
        return delivery.offset();
    }

    /** 1 on first delivery, more when redelivered. */
    public int deliveryCount() {
        return delivery.deliveryCount();
    }

    /** The producer's time for the message when it gave one, else when the broker stored it (epoch ms). */
    public long timestamp() {
        return delivery.eventTime() != 0 ? delivery.eventTime() : delivery.timestamp();
    }

    /** When the broker stored the message, epoch milliseconds. */
    public long storedAt() {
        return delivery.timestamp();
    }

    /** The message's key, or null. */
    public String key() {
        return delivery.key();
    }

    /**
     * The producer's headers, and the broker's ({@code courier.*}: a dead-lettered message carries its delivery
     * count, last failure and source).
     */
    public Map<String, String> headers() {
        return delivery.headers();
    }

    /** The body; do not modify the array. */
    public byte[] payload() {
        return delivery.payload();
    }

    /** The body as an object sent with {@link Producer#send(Object)}. */
    public <T> T as(Class<T> type) {
        return codec.decode(delivery.payload(), type);
    }

    public void ack() {
        if (settled.compareAndSet(false, true)) {
            settler.ack(this);
        }
    }

    /** Gives the message back for redelivery after {@code delay} (zero: the broker's backoff). */
    public void nack(Duration delay) {
        nack(delay, "nacked");
    }

    public void nack(Duration delay, String reason) {
        if (settled.compareAndSet(false, true)) {
            settler.nack(this, delay, reason);
        }
    }

    /** Moves this message's ack deadline to {@code extension} from now. */
    public void extendDeadline(Duration extension) {
        if (!settled.get()) {
            settler.extend(this, extension);
        }
    }

    boolean isSettled() {
        return settled.get();
    }
}
