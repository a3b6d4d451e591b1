package dev.courier.mq.client.protocol;

/**
 * A subscription of a topic and its state.
 *
 * @param name  the subscription
 * @param stats its floor, backlog, messages in flight and consumers
 */
public record SubscriptionInfo(String name, SubscriptionStats stats) {

    /** Messages stored and not acknowledged yet by this subscription: its {@link SubscriptionStats#backlog()}. */
    public long lag() {
        return stats.backlog();
    }
}
