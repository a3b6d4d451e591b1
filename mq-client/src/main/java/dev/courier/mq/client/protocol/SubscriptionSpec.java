package dev.courier.mq.client.protocol;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a subscription is, beyond its name and start: fixed when it is created, stored with it, and the same
 * for all its consumers.
 *
 * @param keyFilter    a pattern the key of a message must match for the subscription to take it, or null for
 *                     any: dot-separated words, where {@code *} matches exactly one word and {@code #} any number
 *                     (none too), as in a topic exchange (for example {@code orders.*.eu} or {@code audit.#}). A
 *                     message without a key matches only {@code #}.
 * @param headerFilter headers a message must carry with exactly these values (all of them), or empty for any
 * @param keyOrdered   messages of one key go to one consumer at a time, in publish order, redeliveries
 *                     included; other keys keep flowing to the other consumers
 */
public record SubscriptionSpec(String keyFilter, Map<String, String> headerFilter, boolean keyOrdered) {

    /** A subscription of every message, in offset order per consumer. */
    public static final SubscriptionSpec PLAIN = new SubscriptionSpec(null, null, false);

    /** The longest key filter, in characters. */
    public static final int MAX_KEY_FILTER = 1024;
    /** The most headers a filter names. */
    public static final int MAX_HEADER_FILTERS = 32;

    public SubscriptionSpec {
        if (keyFilter != null && keyFilter.isEmpty()) {
            keyFilter = null;
        }
        headerFilter = headerFilter == null || headerFilter.isEmpty() ? null : new LinkedHashMap<>(headerFilter);
    }

    public Map<String, String> headerFilter() {
        return headerFilter == null ? Map.of() : headerFilter;
    }

    /** Whether it filters messages. */
    public boolean filters() {
        return keyFilter != null || headerFilter != null;
    }

    /**
     * Checks the spec a client asks for.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public SubscriptionSpec validate() {
        if (keyFilter != null) {
            if (keyFilter.length() > MAX_KEY_FILTER) {
                throw new IllegalArgumentException(
                        "A key filter of " + keyFilter.length() + " characters is longer than " + MAX_KEY_FILTER);
            }
            for (String word : keyFilter.split("\\.", -1)) {
                if (word.length() > 1 && (word.contains("*") || word.contains("#"))) {
                    throw new IllegalArgumentException("Key filter " + keyFilter + ": * and # stand for whole words");
                }
            }
        }
        if (headerFilter().size() > MAX_HEADER_FILTERS) {
            throw new IllegalArgumentException("A filter on more than " + MAX_HEADER_FILTERS + " headers");
        }
        for (Map.Entry<String, String> h : headerFilter().entrySet()) {
            if (h.getKey() == null || h.getKey().isEmpty() || h.getValue() == null) {
                throw new IllegalArgumentException("A header filter needs a name and a value: " + h.getKey());
            }
            if (h.getKey().length() + h.getValue().length() > MAX_KEY_FILTER) {
                throw new IllegalArgumentException("Header filter " + h.getKey() + " is longer than " + MAX_KEY_FILTER);
            }
        }
        return this;
    }
}
