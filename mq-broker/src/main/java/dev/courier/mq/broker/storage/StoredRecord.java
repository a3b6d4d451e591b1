package dev.courier.mq.broker.storage;

import java.util.Map;

/**
 * One record read back from a topic log. Immutable (the payload array is shared: do not modify it).
 *
 * @param offset     the record's offset in its topic
 * @param timestamp  append time, epoch milliseconds
 * @param producerId the idempotent producer that wrote it, or 0
 * @param sequence   the producer's sequence number, or 0
 * @param headers    the producer's headers and broker-written ones ({@code courier.*}: dead-letter
 *                   information), often empty
 * @param payload    the message bytes
 * @param meta       its key and times ({@link RecordMeta#NONE} for a plain record)
 */
public record StoredRecord(
        long offset,
        long timestamp,
        long producerId,
        long sequence,
        Map<String, String> headers,
        byte[] payload,
        RecordMeta meta) {

    public StoredRecord {
        meta = RecordMeta.orNone(meta);
    }

    /** A plain record: no key, no times. */
    public StoredRecord(
            long offset, long timestamp, long producerId, long sequence, Map<String, String> headers, byte[] payload) {
        this(offset, timestamp, producerId, sequence, headers, payload, RecordMeta.NONE);
    }

    /** The message's key, or null. */
    public String key() {
        return meta.key();
    }
}
