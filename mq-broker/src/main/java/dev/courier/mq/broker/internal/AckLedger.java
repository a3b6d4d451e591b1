package dev.courier.mq.broker.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a subscription has acknowledged and how often it delivered what it has not, kept in memory and
 * in its {@link CursorLog}, which this class owns (with its I/O errors): the floor (every offset below is
 * acknowledged), the acknowledged offsets above it, the persisted delivery counts, the hand-out mark,
 * and the gaps — offsets the log holds no record for, passed over but never acknowledged by the broker
 * on its own.
 *
 * <p>Every change is written to the cursor log before it takes effect in memory, so a state that was
 * answered to a consumer is never lost to a failed write: the write throws {@link UncheckedIOException}
 * and nothing changes.
 *
 * <p>Not thread-safe: the owning {@link Subscription} calls it under its monitor, except
 * {@link #syncOutsideMonitor}'s file work, which it makes from one housekeeping thread.
 */
final class AckLedger {

    private final String what;
    private final CursorLog cursor;
    private long floor;
    private final NavigableSet<Long> acked;
    /** Persisted delivery counts (2 or more) of offsets that are not acknowledged. */
    private final NavigableMap<Long, Integer> deliveryCounts;
    /** Every offset below that is not acknowledged was handed out at least once; persisted. */
    private long handedOutBelow;

    private final NavigableSet<Long> gaps = new TreeSet<>();

    AckLedger(String what, CursorLog cursor, CursorLog.State state) {
        this.what = what;
        this.cursor = cursor;
        this.floor = state.floor();
        this.acked = state.acked();
        this.deliveryCounts = state.deliveries();
        this.handedOutBelow = state.handedOutBelow();
    }

    long floor() {
        return floor;
    }

    boolean isAcked(long offset) {
        return offset < floor || acked.contains(offset);
    }

    /** Acknowledges {@code offset}; false if it already was. */
    boolean markAcked(long offset) {
        if (isAcked(offset)) {
            return false;
        }
        try {
            cursor.ack(offset);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot persist an ack of " + what, e);
        }
        deliveryCounts.remove(offset);
        gaps.remove(offset);
        if (offset == floor) {
            long f = floor + 1;
            while (acked.remove(f)) {
                f++;
            }
            floor = f;
        } else {
            acked.add(offset);
        }
        return true;
    }

    /** Every offset below {@code newFloor} is acknowledged (retention removed them). */
    void setFloor(long newFloor) {
        if (newFloor <= floor) {
            return;
        }
        try {
            cursor.floor(newFloor);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot persist the cursor of " + what, e);
        }
        acked.headSet(newFloor).clear();
        deliveryCounts.headMap(newFloor).clear();
        gaps.headSet(newFloor).clear();
        long f = newFloor;
        while (acked.remove(f)) {
            f++;
        }
        floor = f;
    }

    /**
     * An operator's seek: every offset below {@code offset} counts as acknowledged and none at or above
     * it does; the delivery counts, gaps and hand-out mark start over from there.
     */
    void reset(long offset) {
        try {
            cursor.reset(offset);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot persist the cursor of " + what, e);
        }
        floor = offset;
        acked.clear();
        deliveryCounts.clear();
        gaps.clear();
        handedOutBelow = offset;
    }

    /**
     * How often a message about to be read as fresh was delivered before: only messages below the
     * persisted hand-out mark were, which after a restart are read again from the floor.
     */
    int deliveriesBefore(long offset) {
        Integer n = deliveryCounts.get(offset);
        if (n != null) {
            return n;
        }
        return offset < handedOutBelow ? 1 : 0;
    }

    /** Records, before it happens, that {@code offset} is delivered for the {@code deliveries}-th time. */
    void delivering(long offset, int deliveries) {
        if (deliveries <= 1) {
            return;
        }
        try {
            cursor.deliveries(offset, deliveries);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot persist the deliveries of " + what, e);
        }
        deliveryCounts.put(offset, deliveries);
    }

    /**
     * Records, before it happens, the first delivery of {@code offset} if it is at or above the hand-out mark (a
     * message a key-ordered subscription held back while it read past it), so that a restart counts it.
     */
    void deliveredOnceAbove(long offset) {
        if (offset < handedOutBelow || deliveryCounts.containsKey(offset)) {
            return;
        }
        try {
            cursor.deliveries(offset, 1);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot persist the deliveries of " + what, e);
        }
        deliveryCounts.put(offset, 1);
    }

    /** Records, before they go, that every offset below {@code readNext} was handed out at least once. */
    void handedOutBelow(long readNext) {
        if (readNext <= handedOutBelow) {
            return;
        }
        try {
            cursor.handedOutBelow(readNext);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot persist the deliveries of " + what, e);
        }
        handedOutBelow = readNext;
    }

    void gap(long offset) {
        if (!isAcked(offset)) {
            gaps.add(offset);
        }
    }

    /** Acknowledges the gaps in {@code [from, to)} an operator accepts as lost; answers how many. */
    int acknowledgeLoss(long from, long to) {
        int n = 0;
        for (Long o : new ArrayList<>(gaps.subSet(from, true, to, false))) {
            if (markAcked(o)) {
                n++;
            }
        }
        return n;
    }

    /** Offsets acknowledged above the floor (kept one by one until the floor passes them). */
    int ackedAboveFloor() {
        return acked.size();
    }

    long gapCount() {
        return gaps.size();
    }

    /** Messages at or above the floor and below {@code end} not acknowledged. */
    long backlog(long end) {
        return Math.max(0, end - floor - acked.size());
    }

    /** A copy of the state to compact into, if the cursor file grew enough; starts the compaction. */
    CursorLog.State beginCompactionIfDue() {
        if (!cursor.wantsCompaction()) {
            return null;
        }
        CursorLog.State snapshot =
                new CursorLog.State(floor, new TreeSet<>(acked), handedOutBelow, new TreeMap<>(deliveryCounts));
        cursor.beginCompaction();
        return snapshot;
    }

    /** Writes a compaction's file (outside the owner's monitor). */
    void writeCompacted(CursorLog.State snapshot) throws IOException {
        cursor.writeCompacted(snapshot);
    }

    /** Under the owner's monitor. */
    void finishCompaction() throws IOException {
        cursor.finishCompaction();
    }

    /** Under the owner's monitor. */
    void abortCompaction() {
        cursor.abortCompaction();
    }

    /** Forces the cursor (after a compaction, its directory too); outside the owner's monitor. */
    void syncOutsideMonitor(boolean compacted) throws IOException {
        if (compacted) {
            cursor.syncDirectory();
        }
        cursor.sync();
    }

    /** See {@link CursorLog#releaseIfIdle}; under the subscription's monitor. */
    void releaseIfIdle() throws IOException {
        cursor.releaseIfIdle();
    }

    void close() throws IOException {
        cursor.close();
    }

    /** For tests and stats: the offsets of the gaps, in order. */
    List<Long> gaps() {
        return List.copyOf(gaps);
    }
}
