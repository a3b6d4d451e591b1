package dev.courier.mq.broker.storage;

import java.util.Map;

/**
 * One record read back from a topic log. Immutable (the payload array is shared: do not modify it).
 *
 * @param offset     the record's offset in its topic
 * @param timestamp  append time, epoch milliseconds
 * @param producerId the idempotent producer that wrote it, or 0
 * @param sequence   the producer's sequence number, or 0
 * @param headers    broker-written headers (dead-letter information), usually empty
 * @param payload    the message bytes
 */
public record StoredRecord(
        long offset, long timestamp, long producerId, long sequence, Map<String, String> headers, byte[] payload) {}
