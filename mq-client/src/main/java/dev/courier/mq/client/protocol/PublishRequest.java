package dev.courier.mq.client.protocol;

import java.util.List;

/**
 * A batch of messages for one topic.
 *
 * @param topic         the topic (created on first use)
 * @param producerId    an idempotent producer's id, or 0 for no deduplication
 * @param firstSequence the sequence number of the first payload; the others follow by one each
 * @param payloads      the message bodies
 * @param properties    null when every message is a plain body; else, parallel to the payloads, each message's
 *                      key, headers and times ({@link MessageProperties#NONE} for a plain one)
 */
public record PublishRequest(
        String topic, long producerId, long firstSequence, List<byte[]> payloads, List<MessageProperties> properties) {

    /** Plain bodies. */
    public PublishRequest(String topic, long producerId, long firstSequence, List<byte[]> payloads) {
        this(topic, producerId, firstSequence, payloads, null);
    }

    /** The properties of message {@code i}, or null for a plain one. */
    public MessageProperties properties(int i) {
        return properties == null || i >= properties.size() ? null : properties.get(i);
    }
}
