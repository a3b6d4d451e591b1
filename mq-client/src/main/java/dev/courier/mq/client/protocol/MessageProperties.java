package dev.courier.mq.client.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What a published message carries beyond its body.
 *
 * @param key              its key, or null (routing filters and key order use it); at most
 *                         {@value #MAX_KEY_BYTES} bytes of UTF-8
 * @param headers          the producer's headers, or null for none (names starting with {@value #RESERVED_PREFIX}
 *                         are the broker's and refused)
 * @param timestamp        the producer's time for the message, epoch milliseconds, or 0 for none (the broker's
 *                         store time stands in)
 * @param timeToLiveMillis how long after it is stored (or, delayed, after it is due) the message may still be
 *                         delivered, or 0 for as long as the topic's own time to live allows; at most
 *                         {@value #MAX_TIME_TO_LIVE_MILLIS}
 * @param delayMillis      how long after it is stored the message is delivered, or 0 for at once; at most
 *                         {@value #MAX_DELAY_MILLIS}
 */
public record MessageProperties(
        String key, Map<String, String> headers, long timestamp, long timeToLiveMillis, long delayMillis) {

    /** A message delivered at once. */
    public MessageProperties(String key, Map<String, String> headers, long timestamp, long timeToLiveMillis) {
        this(key, headers, timestamp, timeToLiveMillis, 0);
    }

    /** A plain message's: nothing. */
    public static final MessageProperties NONE = new MessageProperties(null, null, 0, 0, 0);

    public static final int MAX_KEY_BYTES = 0xFFFF;
    /** Header names with this prefix are written by the broker (dead-letter information). */
    public static final String RESERVED_PREFIX = "courier.";
    /** 365 days. */
    public static final long MAX_TIME_TO_LIVE_MILLIS = 365L * 24 * 3600 * 1000;
    /** 30 days. */
    public static final long MAX_DELAY_MILLIS = 30L * 24 * 3600 * 1000;

    public Map<String, String> headers() {
        return headers == null ? Map.of() : headers;
    }

    /**
     * Checks what a producer may send and answers how many bytes key and headers add to the message, as its
     * size limit counts them.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public long validate() {
        long size = 0;
        if (key != null) {
            int k = key.getBytes(StandardCharsets.UTF_8).length;
            if (k > MAX_KEY_BYTES) {
                throw new IllegalArgumentException(
                        "A key of " + k + " bytes is longer than the most a message takes (" + MAX_KEY_BYTES + ")");
            }
            size += k;
        }
        for (Map.Entry<String, String> h : headers().entrySet()) {
            String name = h.getKey();
            if (name == null || name.isEmpty() || h.getValue() == null) {
                throw new IllegalArgumentException("A header needs a name and a value: " + name);
            }
            if (name.startsWith(RESERVED_PREFIX)) {
                throw new IllegalArgumentException(
                        "Header " + name + " is refused: names starting with " + RESERVED_PREFIX + " are the broker's");
            }
            int n = name.getBytes(StandardCharsets.UTF_8).length;
            if (n > 0xFFFF) {
                throw new IllegalArgumentException("A header name of " + n + " bytes is longer than 65535");
            }
            size += 6L + n + h.getValue().getBytes(StandardCharsets.UTF_8).length;
        }
        if (timestamp < 0) {
            throw new IllegalArgumentException("A timestamp before 1970: " + timestamp);
        }
        if (timeToLiveMillis < 0 || timeToLiveMillis > MAX_TIME_TO_LIVE_MILLIS) {
            throw new IllegalArgumentException(
                    "A time to live of " + timeToLiveMillis + " ms is not within 0 to " + MAX_TIME_TO_LIVE_MILLIS);
        }
        if (delayMillis < 0 || delayMillis > MAX_DELAY_MILLIS) {
            throw new IllegalArgumentException(
                    "A delay of " + delayMillis + " ms is not within 0 to " + MAX_DELAY_MILLIS + " (30 days)");
        }
        return size;
    }
}
