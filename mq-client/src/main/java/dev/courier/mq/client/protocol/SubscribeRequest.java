package dev.courier.mq.client.protocol;

/**
 * Creates a subscription if missing.
 *
 * @param topic        the topic (created on first use)
 * @param subscription the subscription name
 * @param from         where a new subscription starts; ignored for an existing one
 * @param spec         the filters and ordering of a new subscription; for an existing one, null accepts what it
 *                     has, and a spec that differs from it is refused ({@link IllegalStateException}: delete the
 *                     subscription to change it)
 */
public record SubscribeRequest(String topic, String subscription, StartPosition from, SubscriptionSpec spec) {

    /** A plain subscription, or whatever the existing one is. */
    public SubscribeRequest(String topic, String subscription, StartPosition from) {
        this(topic, subscription, from, null);
    }
}
