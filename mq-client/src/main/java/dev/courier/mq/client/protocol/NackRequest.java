package dev.courier.mq.client.protocol;

/**
 * Returns offsets for redelivery.
 *
 * @param delayMillis redeliver no sooner than this (0: the broker's exponential backoff)
 * @param reason      why processing failed; kept as the message's last failure reason
 */
public record NackRequest(
        String topic, String subscription, String consumerId, long[] offsets, long delayMillis, String reason) {}
