package dev.courier.mq.broker.storage;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers, per idempotent producer, the highest sequence number appended and the offsets of its
 * most recent {@value #WINDOW} sequences, so a retried send is recognised and answered with the
 * original offset instead of being appended twice. Rebuilt from the log on open.
 *
 * <p>Sequences of one known producer must continue without a gap ({@link #check}): the appended
 * sequences are then always a prefix, so a resend from the oldest unacknowledged message can never
 * be mistaken for a duplicate of something that was not stored.
 * At most {@value #MAX_PRODUCERS} producers are remembered, least recently used forgotten first.
 *
 * <p>Not thread-safe: guarded by the owning {@link TopicLog}'s append lock.
 */
final class ProducerTable {

    static final int WINDOW = 8192;
    static final int MAX_PRODUCERS = 10_000;
    /** {@link #lookup} answer for a sequence never seen. */
    static final long NEW = -2;
    /** {@link #lookup} answer for a duplicate whose offset fell out of the window. */
    static final long UNKNOWN_OFFSET = -1;

    private final Map<Long, State> producers = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, State> eldest) {
            return size() > MAX_PRODUCERS;
        }
    };

    private static final class State {
        long lastSequence = Long.MIN_VALUE;
        final long[] offsets = new long[WINDOW];
        final long[] sequences = new long[WINDOW];
    }

    long lookup(long producerId, long sequence) {
        State st = producers.get(producerId);
        if (st == null || sequence > st.lastSequence) {
            return NEW;
        }
        int slot = (int) Math.floorMod(sequence, (long) WINDOW);
        return st.sequences[slot] == sequence ? st.offsets[slot] : UNKNOWN_OFFSET;
    }

    /**
     * Throws {@link OutOfOrderSequenceException} unless every new (not duplicate) record of
     * {@code producerId} in {@code sequences} continues the producer's sequence; a producer not
     * (or no longer) known may start anywhere.
     */
    void check(long producerId, long firstSequence, int count) {
        State st = producers.get(producerId);
        if (st == null || count == 0) {
            return;
        }
        long last = firstSequence + count - 1;
        if (last > st.lastSequence && firstSequence > st.lastSequence + 1) {
            throw new OutOfOrderSequenceException("Producer " + producerId + " sent sequences " + firstSequence + ".."
                    + last + " but the last stored is " + st.lastSequence + "; an earlier batch is missing");
        }
    }

    void record(long producerId, long sequence, long offset) {
        State st = producers.computeIfAbsent(producerId, id -> new State());
        st.lastSequence = Math.max(st.lastSequence, sequence);
        int slot = (int) Math.floorMod(sequence, (long) WINDOW);
        st.sequences[slot] = sequence;
        st.offsets[slot] = offset;
    }
}
