package dev.courier.mq.broker.storage;

import java.util.Map;

/**
 * A record to append.
 *
 * @param producerId an idempotent producer's id, or 0 for none
 * @param sequence   the producer's sequence number for this record (ignored when producerId is 0)
 * @param headers    headers to store with the record (may be empty)
 * @param payload    the message bytes
 * @param meta       its key and times ({@link RecordMeta#NONE} for a plain record)
 */
public record AppendRecord(
        long producerId, long sequence, Map<String, String> headers, byte[] payload, RecordMeta meta) {

    public AppendRecord {
        meta = RecordMeta.orNone(meta);
    }

    /** A plain record: no key, no times. */
    public AppendRecord(long producerId, long sequence, Map<String, String> headers, byte[] payload) {
        this(producerId, sequence, headers, payload, RecordMeta.NONE);
    }

    public static AppendRecord of(byte[] payload) {
        return new AppendRecord(0, 0, Map.of(), payload);
    }
}
