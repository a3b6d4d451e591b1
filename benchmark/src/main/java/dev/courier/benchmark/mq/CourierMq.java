package dev.courier.benchmark.mq;

import dev.courier.mq.broker.Broker;
import dev.courier.mq.broker.EmbeddedBroker;
import dev.courier.mq.client.MqClient;
import dev.courier.mq.client.Producer;
import dev.courier.mq.client.Subscriber;
import dev.courier.rpc.TlsOptions;
import org.HdrHistogram.Histogram;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The Courier broker (default {@code fsync=group}) in this JVM, with a client over loopback; or, made
 * with {@link #remote}, a running broker that this JVM only connects to.
 */
public final class CourierMq implements MqSystem {

    private final String address;
    private final TlsOptions tls;
    private final String token;
    private final String topic;
    private Broker broker;
    private MqClient client;
    private Producer producer;
    private Subscriber subscriber;
    private String e2eSubscription;

    CourierMq() {
        this(null, null, null, "bench");
    }

    private CourierMq(String address, TlsOptions tls, String token, String topic) {
        this.address = address;
        this.tls = tls;
        this.token = token;
        this.topic = topic;
    }

    /**
     * The broker at {@code address} (HOST:PORT), over {@code tls} (null: plaintext) with {@code token}
     * (null: none), publishing to {@code topic}; nothing is started and no data directory is used.
     */
    public static CourierMq remote(String address, TlsOptions tls, String token, String topic) {
        return new CourierMq(address, tls, token, topic);
    }

    @Override
    public String name() {
        return address == null ? "courier" : "courier-broker";
    }

    @Override
    public void start(Path dataDir) {
        if (address == null) {
            broker = EmbeddedBroker.start(dataDir);
            client = MqClient.connect("127.0.0.1:" + broker.port());
        } else {
            client = MqClient.connect(address, Duration.ofSeconds(30), tls, token);
        }
        producer = client.producer(topic);
    }

    @Override
    public void publishDurably(byte[] payload) throws Exception {
        producer.send(payload).get(30, TimeUnit.SECONDS);
    }

    @Override
    public Histogram startEndToEnd() {
        Histogram histogram = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        // A new subscription starting at the latest message sees only what is published from now on.
        e2eSubscription = "e2e-" + System.nanoTime();
        subscriber = client.subscribe(
                topic,
                e2eSubscription,
                dev.courier.mq.client.SubscribeOptions.defaults()
                        .from(dev.courier.mq.client.protocol.StartPosition.LATEST),
                message -> {
                    long sent = ByteBuffer.wrap(message.payload()).getLong();
                    long micros = (System.nanoTime() - sent) / 1000;
                    synchronized (histogram) {
                        histogram.recordValue(Math.min(micros, histogram.getHighestTrackableValue()));
                    }
                });
        return histogram;
    }

    @Override
    public void close() {
        if (subscriber != null) {
            subscriber.close(); // detaches its consumer
            if (address != null) {
                // a running broker keeps what it is given: take the run's subscription away again
                try {
                    client.admin().deleteSubscription(topic, e2eSubscription);
                } catch (RuntimeException e) {
                    System.out.println("subscription " + topic + "/" + e2eSubscription
                            + " stays on the broker; delete it with `courier mq admin delete`: " + e.getMessage());
                }
            }
        }
        if (producer != null) {
            producer.close();
        }
        if (client != null) {
            client.close();
        }
        if (broker != null) {
            broker.close();
        }
    }
}
