package dev.courier.mq.client.protocol;

/**
 * The broker's durable acknowledgement of a {@link PublishRequest}.
 *
 * @param offsets    each payload's offset (a retried duplicate gets its original's, or -1 if forgotten)
 * @param duplicates how many payloads were recognised as retried duplicates and not stored again
 */
public record PublishResult(long[] offsets, int duplicates) {}
