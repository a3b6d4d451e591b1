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
    private final java.util.List<Subscriber> keyedSubscribers = new java.util.ArrayList<>();
    private String keyedSubscription;
    private String delayedSubscription;

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
    public Keyed startKeyed(int keys, int consumers) {
        closeEarlierConsumers();
        String subscription = "keyed-" + System.nanoTime();
        KeyedRun run = new KeyedRun(keys);
        for (int i = 0; i < consumers; i++) {
            keyedSubscribers.add(client.subscribe(
                    topic,
                    subscription,
                    dev.courier.mq.client.SubscribeOptions.defaults()
                            .from(dev.courier.mq.client.protocol.StartPosition.LATEST)
                            .keyOrdered(true),
                    run::received));
        }
        keyedSubscription = subscription;
        return run;
    }

    /** Closes the consumers of the scenarios before, so that each scenario measures only its own. */
    private void closeEarlierConsumers() {
        if (subscriber != null) {
            subscriber.close();
        }
        keyedSubscribers.forEach(Subscriber::close);
    }

    @Override
    public Delayed startDelayed(long maxDelayMillis) {
        closeEarlierConsumers();
        String subscription = "delayed-" + System.nanoTime();
        DelayedRun run = new DelayedRun(maxDelayMillis);
        keyedSubscribers.add(client.subscribe(
                topic,
                subscription,
                dev.courier.mq.client.SubscribeOptions.defaults()
                        .from(dev.courier.mq.client.protocol.StartPosition.LATEST)
                        .prefetch(1000),
                run::received));
        delayedSubscription = subscription;
        return run;
    }

    /** The delayed scenario: payload = due time in epoch microseconds (8 bytes), a run mark (8). */
    private final class DelayedRun implements Delayed {
        private final long maxDelayMillis;
        private final Histogram histogram = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        private final java.util.concurrent.atomic.LongAdder early = new java.util.concurrent.atomic.LongAdder();
        private final java.util.concurrent.atomic.LongAdder published = new java.util.concurrent.atomic.LongAdder();
        private final java.util.concurrent.atomic.LongAdder received = new java.util.concurrent.atomic.LongAdder();
        private volatile long mark;

        DelayedRun(long maxDelayMillis) {
            this.maxDelayMillis = maxDelayMillis;
        }

        private static long nowMicros() {
            java.time.Instant t = java.time.Instant.now();
            return t.getEpochSecond() * 1_000_000 + t.getNano() / 1000;
        }

        @Override
        public void publish(byte[] payload) throws Exception {
            long delay = java.util.concurrent.ThreadLocalRandom.current().nextLong(maxDelayMillis + 1);
            byte[] stamped = payload.clone();
            long run = mark;
            // due by the millisecond, as the broker reckons it from its clock when it stores the message (later)
            ByteBuffer.wrap(stamped)
                    .putLong((System.currentTimeMillis() + delay) * 1000)
                    .putLong(run);
            producer.newMessage()
                    .payload(stamped)
                    .deliverAfter(Duration.ofMillis(delay))
                    .send()
                    .get(30, TimeUnit.SECONDS);
            if (run == mark) { // one sent across a reset counts for neither side of it
                published.increment();
            }
        }

        void received(dev.courier.mq.client.Message m) {
            ByteBuffer b = ByteBuffer.wrap(m.payload());
            long late = nowMicros() - b.getLong();
            if (b.getLong() != mark) {
                return; // published before the last reset
            }
            received.increment();
            if (late < 0) {
                early.increment();
            }
            synchronized (histogram) {
                histogram.recordValue(Math.min(Math.max(0, late), histogram.getHighestTrackableValue()));
            }
        }

        @Override
        public Histogram lateness() {
            synchronized (histogram) {
                return histogram.copy();
            }
        }

        @Override
        public long early() {
            return early.sum();
        }

        @Override
        public long published() {
            return published.sum();
        }

        @Override
        public long received() {
            return received.sum();
        }

        @Override
        public void reset() {
            mark++;
            synchronized (histogram) {
                histogram.reset();
            }
            early.reset();
            published.reset();
            received.reset();
        }
    }

    /** The keyed scenario: payload = send time (8 bytes), key number (4), the key's sequence number (8). */
    private final class KeyedRun implements Keyed {
        private final int keys;
        private final long[] nextSequence;
        private final java.util.concurrent.atomic.AtomicLongArray lastSeen;
        private final Histogram histogram = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        private final java.util.concurrent.atomic.LongAdder outOfOrder = new java.util.concurrent.atomic.LongAdder();
        private long sent;

        KeyedRun(int keys) {
            this.keys = keys;
            this.nextSequence = new long[keys];
            this.lastSeen = new java.util.concurrent.atomic.AtomicLongArray(keys);
            for (int k = 0; k < keys; k++) {
                lastSeen.set(k, -1);
            }
        }

        @Override
        public void publish(byte[] payload) throws Exception {
            byte[] stamped = payload.clone();
            java.util.concurrent.CompletableFuture<dev.courier.mq.client.MessageId> f;
            synchronized (this) { // one key's messages are sent in sequence order
                int key = (int) (sent++ % keys);
                ByteBuffer.wrap(stamped).putLong(System.nanoTime()).putInt(key).putLong(nextSequence[key]++);
                f = producer.newMessage().key("k" + key).payload(stamped).send();
            }
            f.get(30, TimeUnit.SECONDS);
        }

        void received(dev.courier.mq.client.Message m) {
            ByteBuffer b = ByteBuffer.wrap(m.payload());
            long micros = (System.nanoTime() - b.getLong()) / 1000;
            int key = b.getInt();
            long sequence = b.getLong();
            if (lastSeen.getAndAccumulate(key, sequence, Math::max) > sequence) {
                outOfOrder.increment();
            }
            synchronized (histogram) {
                histogram.recordValue(Math.min(micros, histogram.getHighestTrackableValue()));
            }
        }

        @Override
        public Histogram latency() {
            synchronized (histogram) {
                return histogram.copy();
            }
        }

        @Override
        public long outOfOrder() {
            return outOfOrder.sum();
        }

        @Override
        public void reset() {
            synchronized (histogram) {
                histogram.reset();
            }
            outOfOrder.reset();
        }
    }

    @Override
    public void close() {
        keyedSubscribers.forEach(Subscriber::close);
        for (String s : new String[] {keyedSubscription, delayedSubscription}) {
            if (address != null && s != null) {
                try {
                    client.admin().deleteSubscription(topic, s);
                } catch (RuntimeException e) {
                    System.out.println("subscription " + topic + "/" + s
                            + " stays on the broker; delete it with `courier mq admin delete`: " + e.getMessage());
                }
            }
        }
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
