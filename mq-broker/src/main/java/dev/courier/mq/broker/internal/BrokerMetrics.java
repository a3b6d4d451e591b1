package dev.courier.mq.broker.internal;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The broker's meters, after RabbitMQ's Prometheus set. Per topic: {@code courier.broker.published}
 * (messages stored and acknowledged to their publisher), {@code courier.broker.duplicates.dropped},
 * {@code courier.broker.disk.bytes}. Per topic and subscription: {@code courier.broker.delivered},
 * {@code .redelivered}, {@code .acknowledged}, {@code .nacked}, {@code .dead.lettered} (counters),
 * {@code courier.broker.ready}, {@code .unacknowledged}, {@code .consumers} and
 * {@code courier.broker.oldest.unacknowledged.age} (seconds; gauges). For the whole broker: the fsync
 * latency histogram {@code courier.broker.fsync} and {@code courier.broker.topics}.
 *
 * <p>Topics and subscriptions appear as they are created: {@link #refresh()} (run before each scrape)
 * registers the meters of those it has not seen. The meters read the broker's own counts; nothing is
 * counted twice on the hot path. Thread-safe.
 */
public final class BrokerMetrics {

    private final Topics topics;
    private final MeterRegistry meters;
    private final Set<String> seen = new HashSet<>();
    /** The topic instances whose meters are bound, by name: a deleted topic's meters go. */
    private final java.util.Map<String, Topic> bound = new java.util.HashMap<>();

    private final Timer fsync;

    public BrokerMetrics(Topics topics, MeterRegistry meters) {
        this.topics = topics;
        this.meters = meters;
        this.fsync = Timer.builder("courier.broker.fsync")
                .description("Time to force a topic log to disk")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(10_000))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(meters);
        topics.onFsync(nanos -> fsync.record(nanos, TimeUnit.NANOSECONDS));
        Gauge.builder("courier.broker.topics", topics, t -> t.names().size())
                .description("Topics")
                .register(meters);
        refresh();
    }

    /** Registers the meters of topics and subscriptions created since the last call. */
    public synchronized void refresh() {
        for (java.util.Iterator<java.util.Map.Entry<String, Topic>> it =
                        bound.entrySet().iterator();
                it.hasNext(); ) {
            java.util.Map.Entry<String, Topic> e = it.next();
            if (topics.find(e.getKey()) != e.getValue()) {
                it.remove();
                unbind(e.getKey());
            }
        }
        for (Topic t : topics.all()) {
            if (seen.add(t.name())) {
                bound.put(t.name(), t);
                bindTopic(t);
            }
            for (Subscription s : t.subscriptions()) {
                if (seen.add(t.name() + "\u0000" + s.name())) {
                    bindSubscription(t, s);
                }
            }
        }
    }

    /** Removes the meters of a deleted topic and its subscriptions. */
    private void unbind(String topic) {
        for (io.micrometer.core.instrument.Meter m : List.copyOf(meters.getMeters())) {
            if (topic.equals(m.getId().getTag("topic"))) {
                meters.remove(m);
            }
        }
        seen.remove(topic);
        seen.removeIf(k -> k.startsWith(topic + "\u0000"));
    }

    /**
     * The 99th percentile of fsync times since start, in milliseconds: the upper bound of the histogram
     * bucket it falls in (0 before the first fsync).
     */
    public double fsyncP99Millis() {
        io.micrometer.core.instrument.distribution.HistogramSnapshot snap = fsync.takeSnapshot();
        long count = snap.count();
        if (count == 0) {
            return 0;
        }
        double wanted = count * 0.99;
        for (io.micrometer.core.instrument.distribution.CountAtBucket b : snap.histogramCounts()) {
            if (b.count() >= wanted) {
                return b.bucket(TimeUnit.MILLISECONDS);
            }
        }
        return snap.max(TimeUnit.MILLISECONDS);
    }

    private void bindTopic(Topic t) {
        Tags tags = Tags.of("topic", t.name());
        FunctionCounter.builder("courier.broker.published", t, x -> x.published.sum())
                .description("Messages stored durably and acknowledged to their publisher")
                .tags(tags)
                .register(meters);
        FunctionCounter.builder("courier.broker.duplicates.dropped", t, x -> x.duplicatesDropped.sum())
                .description("Publishes of an idempotent producer's message already stored")
                .tags(tags)
                .register(meters);
        Gauge.builder("courier.broker.disk", t, x -> x.log().sizeBytes())
                .baseUnit("bytes")
                .description("Bytes of the topic's segments on disk")
                .tags(tags)
                .register(meters);
        Gauge.builder("courier.broker.delayed", t, Topic::delayedCount)
                .description("Delayed messages stored and not yet due")
                .tags(tags)
                .register(meters);
        Gauge.builder("courier.broker.transactions.open", t, Topic::openTransactions)
                .description("Transactions with half messages stored, neither committed nor rolled back")
                .tags(tags)
                .register(meters);
        FunctionCounter.builder("courier.broker.transactions.unresolved", t, x -> x.unresolvedTransactions.sum())
                .description("Transactions rolled back after their checks found no outcome")
                .tags(tags)
                .register(meters);
    }

    private void bindSubscription(Topic t, Subscription s) {
        Tags tags = Tags.of("topic", t.name(), "subscription", s.name());
        counter(
                "courier.broker.delivered",
                "Deliveries, first and repeated",
                s,
                tags,
                Subscription.Counters::delivered);
        counter(
                "courier.broker.redelivered",
                "Deliveries of a message delivered before",
                s,
                tags,
                Subscription.Counters::redelivered);
        counter("courier.broker.acknowledged", "Messages acknowledged", s, tags, Subscription.Counters::acknowledged);
        counter("courier.broker.nacked", "Negative acknowledgements", s, tags, Subscription.Counters::nacked);
        counter(
                "courier.broker.dead.lettered",
                "Messages moved to the dead-letter topic",
                s,
                tags,
                Subscription.Counters::deadLettered);
        counter(
                "courier.broker.expired",
                "Messages whose time to live passed before they were delivered (dead-lettered or dropped)",
                s,
                tags,
                Subscription.Counters::expired);
        counter(
                "courier.broker.filtered",
                "Messages the subscription's filter refused (acknowledged without delivery)",
                s,
                tags,
                Subscription.Counters::filtered);
        gauge(
                "courier.broker.ready",
                "Messages stored, not acknowledged and not held by a consumer",
                s,
                tags,
                Subscription.Counters::ready);
        gauge(
                "courier.broker.unacknowledged",
                "Messages delivered and held, not yet acknowledged",
                s,
                tags,
                Subscription.Counters::unacknowledged);
        gauge("courier.broker.consumers", "Consumers attached", s, tags, c -> c.consumers());
        Gauge.builder("courier.broker.oldest.unacknowledged.age", s, Subscription::oldestUnacknowledgedAgeSeconds)
                .baseUnit("seconds")
                .description("Age of the oldest message not yet acknowledged")
                .tags(tags)
                .register(meters);
    }

    private void counter(
            String name,
            String description,
            Subscription s,
            Tags tags,
            java.util.function.ToLongFunction<Subscription.Counters> value) {
        FunctionCounter.builder(name, s, x -> value.applyAsLong(x.counters()))
                .description(description)
                .tags(tags)
                .register(meters);
    }

    private void gauge(
            String name,
            String description,
            Subscription s,
            Tags tags,
            java.util.function.ToLongFunction<Subscription.Counters> value) {
        Gauge.builder(name, s, x -> value.applyAsLong(x.counters()))
                .description(description)
                .tags(tags)
                .register(meters);
    }
}
