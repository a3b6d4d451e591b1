package dev.courier.mq.client.protocol;

/**
 * A consumer's long-poll for messages.
 *
 * @param topic          the topic
 * @param subscription   the subscription (created from the earliest message if missing)
 * @param consumerId     the consumer's unique id
 * @param prefetch       the most unacknowledged messages the consumer may hold
 * @param maxMessages    the most messages to answer with
 * @param waitMillis     how long to wait when nothing is available (keep below the call's deadline)
 * @param ackTimeoutMillis a delivered message not acknowledged within this is redelivered
 */
public record FetchRequest(
        String topic,
        String subscription,
        String consumerId,
        int prefetch,
        int maxMessages,
        long waitMillis,
        long ackTimeoutMillis) {}
