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
 * @param transaction   null, or the transaction the messages belong to: they are stored as half messages,
 *                      invisible to subscriptions until it is committed ({@link BrokerService#endTransaction})
 * @param group         with a transaction, the producer group whose checkers the broker asks for its outcome
 */
public record PublishRequest(
        String topic,
        long producerId,
        long firstSequence,
        List<byte[]> payloads,
        List<MessageProperties> properties,
        String transaction,
        String group) {

    /** Messages outside any transaction. */
    public PublishRequest(
            String topic,
            long producerId,
            long firstSequence,
            List<byte[]> payloads,
            List<MessageProperties> properties) {
        this(topic, producerId, firstSequence, payloads, properties, null, null);
    }

    /** Plain bodies. */
    public PublishRequest(String topic, long producerId, long firstSequence, List<byte[]> payloads) {
        this(topic, producerId, firstSequence, payloads, null);
    }

    /** The properties of message {@code i}, or null for a plain one. */
    public MessageProperties properties(int i) {
        return properties == null || i >= properties.size() ? null : properties.get(i);
    }
}
