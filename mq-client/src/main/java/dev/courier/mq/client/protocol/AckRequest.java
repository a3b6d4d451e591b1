package dev.courier.mq.client.protocol;

/** Acknowledges offsets of a subscription. */
public record AckRequest(String topic, String subscription, String consumerId, long[] offsets) {}
