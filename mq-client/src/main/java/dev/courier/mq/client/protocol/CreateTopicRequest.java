package dev.courier.mq.client.protocol;

/**
 * Creates a topic with its retention, or sets the retention of a topic that exists. A limit given is stored
 * with the topic (both are, when one is: the other as it is in force now), overriding the broker's
 * configuration for it.
 *
 * @param topic           the topic
 * @param retentionBytes  the size limit (-1: none); null keeps the limit in force
 * @param retentionMillis the age limit in milliseconds (-1: none); null keeps the limit in force
 */
public record CreateTopicRequest(String topic, Long retentionBytes, Long retentionMillis) {

    /** A topic with the broker's configured retention. */
    public CreateTopicRequest(String topic) {
        this(topic, null, null);
    }
}
