package dev.courier.mq.client;

import java.util.concurrent.CompletableFuture;

/**
 * A point-to-point queue: a topic with exactly one subscription, {@value #SUBSCRIPTION}. Every consumer
 * competes for its messages. Thread-safe.
 */
public final class MqQueue {

    public static final String SUBSCRIPTION = "queue";

    private final MqClient client;
    private final String name;
    private volatile Producer producer;

    MqQueue(MqClient client, String name) {
        this.client = client;
        this.name = name;
    }

    public String name() {
        return name;
    }

    public CompletableFuture<MessageId> send(byte[] payload) {
        return producer().send(payload);
    }

    public CompletableFuture<MessageId> send(Object message) {
        return producer().send(message);
    }

    private Producer producer() {
        Producer p = producer;
        if (p == null) {
            synchronized (this) {
                if (producer == null) {
                    producer = client.producer(name);
                }
                p = producer;
            }
        }
        return p;
    }

    /** Attaches a competing consumer. */
    public Subscriber consume(MessageHandler handler) {
        return client.subscribe(name, SUBSCRIPTION, handler);
    }

    public Subscriber consume(SubscribeOptions options, MessageHandler handler) {
        return client.subscribe(name, SUBSCRIPTION, options, handler);
    }
}
