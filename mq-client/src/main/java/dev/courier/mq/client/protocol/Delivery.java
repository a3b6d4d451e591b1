package dev.courier.mq.client.protocol;

import java.util.Map;

/**
 * One delivered message.
 *
 * @param offset        its offset in the topic (the id to ack)
 * @param timestamp     when the broker stored it, epoch milliseconds
 * @param deliveryCount 1 on first delivery, more on redeliveries
 * @param headers       the producer's headers and broker-written ones ({@code courier.*}; on dead-lettered
 *                      messages: delivery count, failure reason, source)
 * @param payload       the body
 * @param key           its key, or null
 * @param eventTime     the producer's time for it, or 0 when it gave none
 */
public record Delivery(
        long offset,
        long timestamp,
        int deliveryCount,
        Map<String, String> headers,
        byte[] payload,
        String key,
        long eventTime) {

    /** A message without key or producer's time. */
    public Delivery(long offset, long timestamp, int deliveryCount, Map<String, String> headers, byte[] payload) {
        this(offset, timestamp, deliveryCount, headers, payload, null, 0);
    }
}
