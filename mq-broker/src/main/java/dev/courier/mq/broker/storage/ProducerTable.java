package dev.courier.mq.broker.storage;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers, per idempotent producer, the highest sequence number appended and where its most recent
 * batches went, so a retried send is recognised and answered with the original offset instead of being
 * appended twice. Rebuilt from the log on open.
 *
 * <p><b>Memory.</b> A producer's records are kept as runs: consecutive sequences stored at consecutive
 * offsets (one run per batch, usually). The last {@value #RUNS} runs are kept — more than a producer
 * keeps batches in flight (5) — so a producer costs a few hundred bytes, not a window per sequence.
 * A duplicate older than those runs is still recognised (its sequence is at or below the highest), but
 * answered with {@link #UNKNOWN_OFFSET}.
 *
 * <p><b>Expiry.</b> A producer id not seen for {@code idleMillis} (by the time of its records and
 * resends; the map is in access order, which is the order of those times) is forgotten, and at most {@value #MAX_PRODUCERS} are remembered, least recently used forgotten first. A
 * forgotten producer that comes back may start anywhere (as a new one).
 *
 * <p>Sequences of one known producer must continue without a gap ({@link #check}): the appended
 * sequences are then always a prefix, so a resend from the oldest unacknowledged message can never
 * be mistaken for a duplicate of something that was not stored.
 *
 * <p>Not thread-safe: guarded by the owning {@link TopicLog}'s append lock.
 */
final class ProducerTable {

    static final int RUNS = 16;
    static final int MAX_PRODUCERS = 10_000;
    /** {@link #lookup} answer for a sequence never seen. */
    static final long NEW = -2;
    /** {@link #lookup} answer for a duplicate whose offset is no longer remembered. */
    static final long UNKNOWN_OFFSET = -1;

    private final long idleMillis;
    private final Map<Long, State> producers = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, State> eldest) {
            return size() > MAX_PRODUCERS;
        }
    };

    private static final class State {
        long lastSequence = Long.MIN_VALUE;
        long lastSeen;
        /** Ring of runs: first sequence, first offset, count; {@code head} is the newest. */
        final long[] firstSequence = new long[RUNS];
        final long[] firstOffset = new long[RUNS];
        final int[] count = new int[RUNS];
        int head = -1;
        int size;
    }

    ProducerTable(long idleMillis) {
        this.idleMillis = idleMillis;
    }

    /** Producers remembered now. */
    int size() {
        return producers.size();
    }

    /** Where {@code producerId}'s {@code sequence} was stored ({@link #NEW}, {@link #UNKNOWN_OFFSET}); a sign of life at {@code millis}. */
    long lookup(long producerId, long sequence, long millis) {
        State st = producers.get(producerId);
        if (st == null || sequence > st.lastSequence) {
            return NEW;
        }
        st.lastSeen = Math.max(st.lastSeen, millis);
        for (int i = 0, r = st.head; i < st.size; i++, r = (r - 1 + RUNS) % RUNS) {
            long from = st.firstSequence[r];
            if (sequence >= from && sequence < from + st.count[r]) {
                return st.firstOffset[r] + (sequence - from);
            }
        }
        return UNKNOWN_OFFSET;
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

    /** Records that {@code producerId}'s {@code sequence} was stored at {@code offset}, at time {@code millis}. */
    void record(long producerId, long sequence, long offset, long millis) {
        State st = producers.computeIfAbsent(producerId, id -> new State());
        st.lastSequence = Math.max(st.lastSequence, sequence);
        st.lastSeen = Math.max(st.lastSeen, millis);
        int h = st.head;
        if (h >= 0 && sequence == st.firstSequence[h] + st.count[h] && offset == st.firstOffset[h] + st.count[h]) {
            st.count[h]++;
        } else {
            h = (h + 1) % RUNS;
            st.head = h;
            st.firstSequence[h] = sequence;
            st.firstOffset[h] = offset;
            st.count[h] = 1;
            st.size = Math.min(RUNS, st.size + 1);
        }
        expireIdle(millis);
    }

    /** Forgets the producers, least recently used first, not seen since {@code now - idleMillis}. */
    void expireIdle(long now) {
        for (Iterator<State> it = producers.values().iterator(); it.hasNext(); ) {
            State st = it.next();
            if (now - st.lastSeen <= idleMillis) {
                return;
            }
            it.remove();
        }
    }
}
