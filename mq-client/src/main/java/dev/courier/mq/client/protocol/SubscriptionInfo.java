package dev.courier.mq.client.protocol;

/**
 * A subscription of a topic and its state.
 *
 * @param name  the subscription
 * @param stats its floor, backlog, messages in flight and consumers
 * @param spec  its filters and ordering ({@link SubscriptionSpec#PLAIN} for none)
 */
public record SubscriptionInfo(String name, SubscriptionStats stats, SubscriptionSpec spec) {

    /** A plain subscription. */
    public SubscriptionInfo(String name, SubscriptionStats stats) {
        this(name, stats, SubscriptionSpec.PLAIN);
    }

    /** Messages stored and not acknowledged yet by this subscription: its {@link SubscriptionStats#backlog()}. */
    public long lag() {
        return stats.backlog();
    }
}
