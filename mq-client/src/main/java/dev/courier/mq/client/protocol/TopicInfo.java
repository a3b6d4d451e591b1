package dev.courier.mq.client.protocol;

import java.util.List;

/**
 * A topic as an operator sees it.
 *
 * @param name           the topic
 * @param startOffset    the oldest offset retention has kept
 * @param endOffset      one past the last durable message
 * @param diskBytes      bytes its log takes on disk
 * @param retentionBytes the size limit in force (-1: none)
 * @param retentionMillis the age limit in force, in milliseconds (-1: none)
 * @param messageTtlMillis the time to live of its messages in force, in milliseconds (0: none)
 * @param subscriptions  its subscriptions, by name
 */
public record TopicInfo(
        String name,
        long startOffset,
        long endOffset,
        long diskBytes,
        long retentionBytes,
        long retentionMillis,
        long messageTtlMillis,
        List<SubscriptionInfo> subscriptions) {

    public TopicInfo {
        subscriptions = List.copyOf(subscriptions);
    }
}
