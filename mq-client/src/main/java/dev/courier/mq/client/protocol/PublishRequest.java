package dev.courier.mq.client.protocol;

import java.util.List;

/**
 * A batch of messages for one topic.
 *
 * @param topic         the topic (created on first use)
 * @param producerId    an idempotent producer's id, or 0 for no deduplication
 * @param firstSequence the sequence number of the first payload; the others follow by one each
 * @param payloads      the message bodies
 */
public record PublishRequest(String topic, long producerId, long firstSequence, List<byte[]> payloads) {}
