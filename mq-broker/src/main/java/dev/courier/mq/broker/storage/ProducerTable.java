package dev.courier.mq.broker.storage;

import java.nio.ByteBuffer;
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
 * resends; the map is in access order, which is the order of those times) is forgotten, and at most {@value
 * #MAX_PRODUCERS} are remembered, least recently used forgotten first. A
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

    /**
     * Where {@code producerId}'s {@code sequence} was stored ({@link #NEW}, {@link #UNKNOWN_OFFSET}); a sign of life at
     * {@code millis}.
     */
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

    /**
     * The table as bytes, least recently used producer first: per producer its id, highest sequence,
     * last sign of life and runs, oldest first. {@link #restore} reads it back into the same state.
     */
    ByteBuffer snapshot() {
        int bytes = Integer.BYTES;
        for (State st : producers.values()) {
            bytes += PRODUCER_BYTES + st.size * RUN_BYTES;
        }
        ByteBuffer out = ByteBuffer.allocate(bytes);
        out.putInt(producers.size());
        for (Map.Entry<Long, State> e : producers.entrySet()) { // iterating entries leaves the access order as is
            State st = e.getValue();
            out.putLong(e.getKey())
                    .putLong(st.lastSequence)
                    .putLong(st.lastSeen)
                    .putInt(st.size);
            for (int i = st.size - 1; i >= 0; i--) {
                int r = (st.head - i + RUNS) % RUNS;
                out.putLong(st.firstSequence[r]).putLong(st.firstOffset[r]).putInt(st.count[r]);
            }
        }
        return out.flip();
    }

    private static final int PRODUCER_BYTES = 3 * Long.BYTES + Integer.BYTES;
    private static final int RUN_BYTES = 2 * Long.BYTES + Integer.BYTES;

    /**
     * Replaces the table with a {@link #snapshot}, consuming it from {@code in}.
     *
     * @throws ChecksummedFile.CorruptException if it is not one (counts beyond what follows or the bounds)
     */
    void restore(ByteBuffer in) throws ChecksummedFile.CorruptException {
        producers.clear();
        try {
            int n = ChecksummedFile.count(in, PRODUCER_BYTES, "producers");
            if (n > MAX_PRODUCERS) {
                throw new ChecksummedFile.CorruptException(n + " producers, more than " + MAX_PRODUCERS);
            }
            for (int p = 0; p < n; p++) {
                long id = in.getLong();
                State st = new State();
                st.lastSequence = in.getLong();
                st.lastSeen = in.getLong();
                int runs = in.getInt();
                if (runs < 0 || runs > RUNS || (long) runs * RUN_BYTES > in.remaining()) {
                    throw new ChecksummedFile.CorruptException("producer " + id + " with " + runs + " runs");
                }
                for (int i = 0; i < runs; i++) {
                    st.head = (st.head + 1) % RUNS;
                    st.firstSequence[st.head] = in.getLong();
                    st.firstOffset[st.head] = in.getLong();
                    st.count[st.head] = in.getInt();
                    if (st.count[st.head] <= 0) {
                        throw new ChecksummedFile.CorruptException("producer " + id + " with an empty run");
                    }
                }
                st.size = runs;
                producers.put(id, st);
            }
        } catch (ChecksummedFile.CorruptException | RuntimeException e) {
            producers.clear();
            if (e instanceof java.nio.BufferUnderflowException) {
                throw new ChecksummedFile.CorruptException("producer table truncated");
            }
            throw e;
        }
    }

    /** Forgets every producer (a snapshot that could not be used is replaced by a rebuild from the log). */
    void clear() {
        producers.clear();
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
