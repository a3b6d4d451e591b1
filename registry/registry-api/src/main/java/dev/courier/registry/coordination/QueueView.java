package dev.courier.registry.coordination;

import java.util.List;

/**
 * A lock queue as read at {@code version}: its entries in token order (the head first).
 *
 * @param version changes with every change to the queue (0 for a queue with no entries)
 */
public record QueueView(long version, List<Entry> entries) {

    public QueueView {
        entries = List.copyOf(entries);
    }

    /** One entry: its token and value. */
    public record Entry(long token, String value) {}

    /** The head, or null when the queue is empty. */
    public Entry head() {
        return entries.isEmpty() ? null : entries.get(0);
    }

    /** Whether an entry with {@code token} is in the queue. */
    public boolean contains(long token) {
        return entries.stream().anyMatch(e -> e.token() == token);
    }
}
