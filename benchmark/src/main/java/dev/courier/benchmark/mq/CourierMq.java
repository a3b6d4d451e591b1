package dev.courier.benchmark.mq;

import dev.courier.mq.broker.Broker;
import dev.courier.mq.broker.EmbeddedBroker;
import dev.courier.mq.client.MqClient;
import dev.courier.mq.client.Producer;
import dev.courier.mq.client.Subscriber;
import org.HdrHistogram.Histogram;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** The Courier broker (default {@code fsync=group}) in this JVM, with a client over loopback. */
final class CourierMq implements MqSystem {

    private Broker broker;
    private MqClient client;
    private Producer producer;
    private Subscriber subscriber;

    @Override
    public String name() {
        return "courier";
    }

    @Override
    public void start(Path dataDir) {
        broker = EmbeddedBroker.start(dataDir);
        client = MqClient.connect("127.0.0.1:" + broker.port());
        producer = client.producer("bench");
    }

    @Override
    public void publishDurably(byte[] payload) throws Exception {
        producer.send(payload).get(30, TimeUnit.SECONDS);
    }

    @Override
    public Histogram startEndToEnd() {
        Histogram histogram = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        // A new subscription starting at the latest message sees only what is published from now on.
        subscriber = client.subscribe("bench", "e2e-" + System.nanoTime(),
                dev.courier.mq.client.SubscribeOptions.defaults().from(dev.courier.mq.client.protocol.StartPosition.LATEST), message -> {
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
            subscriber.close();
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
