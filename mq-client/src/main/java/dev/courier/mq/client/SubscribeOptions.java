package dev.courier.mq.client;

import dev.courier.mq.client.protocol.StartPosition;
import dev.courier.mq.client.protocol.SubscriptionSpec;

import java.time.Duration;
import java.util.Objects;

/**
 * How a subscription is consumed. Immutable; start from {@link #defaults()}.
 *
 * @param from       where a new subscription starts (default earliest)
 * @param prefetch   the most unacknowledged messages this consumer holds (default 100)
 * @param ackMode    automatic (default) or manual acknowledgement
 * @param ackTimeout a message not acknowledged within this is redelivered (default 30 s)
 * @param threads    handler threads (default 1, which keeps FIFO order)
 * @param spec       the filters and ordering of the subscription, fixed when it is created (default: every
 *                   message; an existing subscription keeps its own, and asking for another one is refused)
 */
public record SubscribeOptions(
        StartPosition from, int prefetch, AckMode ackMode, Duration ackTimeout, int threads, SubscriptionSpec spec) {

    /** When messages are acknowledged. */
    public enum AckMode {
        AUTO,
        MANUAL
    }

    public static SubscribeOptions defaults() {
        return new SubscribeOptions(StartPosition.EARLIEST, 100, AckMode.AUTO, Duration.ofSeconds(30), 1, null);
    }

    public SubscribeOptions from(StartPosition v) {
        return new SubscribeOptions(Objects.requireNonNull(v), prefetch, ackMode, ackTimeout, threads, spec);
    }

    public SubscribeOptions prefetch(int v) {
        if (v < 1) {
            throw new IllegalArgumentException("prefetch must be >= 1");
        }
        return new SubscribeOptions(from, v, ackMode, ackTimeout, threads, spec);
    }

    public SubscribeOptions ackMode(AckMode v) {
        return new SubscribeOptions(from, prefetch, Objects.requireNonNull(v), ackTimeout, threads, spec);
    }

    public SubscribeOptions ackTimeout(Duration v) {
        return new SubscribeOptions(from, prefetch, ackMode, v, threads, spec);
    }

    public SubscribeOptions threads(int v) {
        if (v < 1) {
            throw new IllegalArgumentException("threads must be >= 1");
        }
        return new SubscribeOptions(from, prefetch, ackMode, ackTimeout, v, spec);
    }

    /** Takes only messages whose key matches {@code pattern} (see {@link SubscriptionSpec#keyFilter()}). */
    public SubscribeOptions keyFilter(String pattern) {
        SubscriptionSpec s = spec();
        return withSpec(new SubscriptionSpec(pattern, s.headerFilter(), s.keyOrdered()));
    }

    /** Takes only messages with header {@code name} equal to {@code value} (and any other header filters). */
    public SubscribeOptions headerFilter(String name, String value) {
        SubscriptionSpec s = spec();
        java.util.Map<String, String> headers = new java.util.LinkedHashMap<>(s.headerFilter());
        headers.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
        return withSpec(new SubscriptionSpec(s.keyFilter(), headers, s.keyOrdered()));
    }

    /**
     * Key order with competing consumers: messages of one key are delivered one at a time, in publish order,
     * redeliveries included (see {@link SubscriptionSpec#keyOrdered()}).
     */
    public SubscribeOptions keyOrdered(boolean v) {
        SubscriptionSpec s = spec();
        return withSpec(new SubscriptionSpec(s.keyFilter(), s.headerFilter(), v));
    }

    /** The spec asked for, or {@link SubscriptionSpec#PLAIN} when none was. */
    @Override
    public SubscriptionSpec spec() {
        return spec == null ? SubscriptionSpec.PLAIN : spec;
    }

    /** Whether a spec was asked for (else an existing subscription is taken as it is). */
    public boolean hasSpec() {
        return spec != null;
    }

    private SubscribeOptions withSpec(SubscriptionSpec v) {
        return new SubscribeOptions(from, prefetch, ackMode, ackTimeout, threads, v);
    }
}
