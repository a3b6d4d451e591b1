package dev.courier.mq.client.protocol;

/**
 * Creates a topic with its retention and time to live, or sets them on a topic that exists. A limit given is
 * stored with the topic (both retention limits are, when one is: the other as it is in force now), overriding
 * the broker's configuration for it.
 *
 * @param topic            the topic
 * @param retentionBytes   the size limit (-1: none); null keeps the limit in force
 * @param retentionMillis  the age limit in milliseconds (-1: none); null keeps the limit in force
 * @param messageTtlMillis how long after it is stored a message may still be delivered, in milliseconds (0:
 *                         no limit; -1: the broker's); null keeps the one in force
 */
public record CreateTopicRequest(String topic, Long retentionBytes, Long retentionMillis, Long messageTtlMillis) {

    /** A topic with the broker's configured retention and time to live. */
    public CreateTopicRequest(String topic) {
        this(topic, null, null, null);
    }

    /** A topic with this retention and the time to live in force. */
    public CreateTopicRequest(String topic, Long retentionBytes, Long retentionMillis) {
        this(topic, retentionBytes, retentionMillis, null);
    }
}
