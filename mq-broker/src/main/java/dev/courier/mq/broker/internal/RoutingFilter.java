package dev.courier.mq.broker.internal;

import dev.courier.mq.broker.storage.StoredRecord;
import dev.courier.mq.client.protocol.SubscriptionSpec;

import java.util.Map;

/**
 * The filter of a subscription ({@link SubscriptionSpec#keyFilter()}, {@link SubscriptionSpec#headerFilter()}):
 * whether a record is one the subscription takes. Immutable and thread-safe.
 */
final class RoutingFilter {

    private final String[] pattern;
    private final Map<String, String> headers;

    private RoutingFilter(String keyFilter, Map<String, String> headers) {
        this.pattern = keyFilter == null ? null : keyFilter.split("\\.", -1);
        this.headers = Map.copyOf(headers);
    }

    /** The filter of {@code spec}, or null when it takes every message. */
    static RoutingFilter of(SubscriptionSpec spec) {
        return spec == null || !spec.filters() ? null : new RoutingFilter(spec.keyFilter(), spec.headerFilter());
    }

    boolean matches(StoredRecord r) {
        for (Map.Entry<String, String> h : headers.entrySet()) {
            if (!h.getValue().equals(r.headers().get(h.getKey()))) {
                return false;
            }
        }
        return pattern == null || keyMatches(pattern, r.key());
    }

    /**
     * Whether {@code key} (null: no words) matches the words of a pattern, where {@code *} is exactly one word
     * and {@code #} any number of words: a dynamic programme over both word lists, linear in their product.
     */
    static boolean keyMatches(String[] pattern, String key) {
        String[] words = key == null ? new String[0] : key.split("\\.", -1);
        int n = words.length;
        // row[j]: whether the pattern words seen so far match the first j key words
        boolean[] row = new boolean[n + 1];
        row[0] = true;
        for (String p : pattern) {
            boolean[] next = new boolean[n + 1];
            if (p.equals("#")) {
                boolean any = false;
                for (int j = 0; j <= n; j++) {
                    any |= row[j];
                    next[j] = any;
                }
            } else {
                for (int j = 1; j <= n; j++) {
                    next[j] = row[j - 1] && (p.equals("*") || p.equals(words[j - 1]));
                }
            }
            row = next;
        }
        return row[n];
    }
}
