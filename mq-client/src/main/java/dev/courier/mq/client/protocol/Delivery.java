package dev.courier.mq.client.protocol;

import java.util.Map;

/**
 * One delivered message.
 *
 * @param offset        its offset in the topic (the id to ack)
 * @param timestamp     when the broker stored it, epoch milliseconds
 * @param deliveryCount 1 on first delivery, more on redeliveries
 * @param headers       broker-written headers (on dead-lettered messages: delivery count, failure reason, source)
 * @param payload       the body
 */
public record Delivery(long offset, long timestamp, int deliveryCount, Map<String, String> headers, byte[] payload) {}
