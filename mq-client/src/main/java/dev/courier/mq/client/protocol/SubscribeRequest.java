package dev.courier.mq.client.protocol;

/**
 * Creates a subscription if missing.
 *
 * @param topic        the topic (created on first use)
 * @param subscription the subscription name
 * @param from         where a new subscription starts; ignored for an existing one
 */
public record SubscribeRequest(String topic, String subscription, StartPosition from) {}
