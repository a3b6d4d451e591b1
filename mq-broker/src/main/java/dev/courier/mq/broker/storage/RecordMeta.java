package dev.courier.mq.broker.storage;

/**
 * What a record of format 2 stores beyond a plain one (see {@link RecordFormat}). A record without any of it
 * is written in format 1, which has no room for it.
 *
 * @param key       the message's key, or null for none (at most {@link RecordFormat#MAX_KEY_BYTES} bytes of
 *                  UTF-8; an empty key is no key)
 * @param eventTime the time the producer gave the message, epoch milliseconds, or 0 for none
 * @param deliverAt the earliest time to deliver it, epoch milliseconds, or 0 for at once
 * @param expiresAt the time after which it is not delivered, epoch milliseconds, or 0 for never
 */
public record RecordMeta(String key, long eventTime, long deliverAt, long expiresAt) {

    /** A plain record's: nothing. */
    public static final RecordMeta NONE = new RecordMeta(null, 0, 0, 0);

    public RecordMeta {
        if (key != null && key.isEmpty()) {
            key = null;
        }
    }

    /** Whether there is nothing to store, so the record is written in format 1. */
    public boolean isNone() {
        return key == null && eventTime == 0 && deliverAt == 0 && expiresAt == 0;
    }

    public static RecordMeta orNone(RecordMeta meta) {
        return meta == null ? NONE : meta;
    }
}
