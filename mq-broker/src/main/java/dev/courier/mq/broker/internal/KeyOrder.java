package dev.courier.mq.broker.internal;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The key order of a key-ordered subscription: for each key, the one message that is out (delivered, or due
 * for redelivery) and the later messages of that key read meanwhile, in offset order. A key's next message goes
 * only once the one out is settled (acknowledged, dead-lettered, dropped), so one key is with one consumer at a
 * time and its messages are processed in publish order, redeliveries included; the other keys keep flowing.
 *
 * <p>In memory only: after a restart the subscription reads from its floor again, and the first unsettled
 * message of each key goes out first. At most {@link #MAX_WAITING} messages wait in all; past that the
 * subscription stops reading fresh messages with a key until some went.
 *
 * <p>Not thread-safe: the owning {@link Subscription} calls it under its monitor.
 */
final class KeyOrder {

    /** Messages held back behind their key's, in all. */
    static final int MAX_WAITING = 100_000;

    /** Key to the messages waiting behind its message out (empty: only the one out). */
    private final Map<String, ArrayDeque<Long>> keys = new HashMap<>();
    /** The offset out for each busy key, to the key. */
    private final TreeMap<Long, String> out = new TreeMap<>();

    /** Every offset held back and not yet handed out (released ones too, until delivered), to find the lowest. */
    private final java.util.TreeSet<Long> waitingOffsets = new java.util.TreeSet<>();

    /**
     * The message at {@code offset} with {@code key} is read as fresh: true if it may go now (its key is marked
     * busy with it), false if it waits behind the key's message out.
     */
    boolean take(String key, long offset) {
        ArrayDeque<Long> queue = keys.get(key);
        if (queue == null) {
            keys.put(key, new ArrayDeque<>());
            out.put(offset, key);
            return true;
        }
        queue.add(offset);
        waitingOffsets.add(offset);
        return false;
    }

    /**
     * {@code offset} was settled. If it was its key's message out, answers the key's next waiting offset, which
     * is out from now on, or frees the key; else -1.
     */
    long settled(long offset) {
        waitingOffsets.remove(offset); // released and settled before it was handed out
        String key = out.remove(offset);
        if (key == null) {
            return -1;
        }
        ArrayDeque<Long> queue = keys.get(key);
        Long next = queue.poll();
        if (next == null) {
            keys.remove(key);
            return -1;
        }
        out.put(next, key); // stays among the waiting until it is handed out
        return next;
    }

    /** {@code offset} was handed out for the first time: it no longer holds the hand-out mark back. */
    void handedOut(long offset) {
        waitingOffsets.remove(offset);
    }

    /** The offsets out below {@code floor} (settled by a jump of the floor), lowest first. */
    long[] outBelow(long floor) {
        return out.headMap(floor).keySet().stream().mapToLong(Long::longValue).toArray();
    }

    /** Whether as many messages wait as may. */
    boolean full() {
        return waitingOffsets.size() >= MAX_WAITING;
    }

    /** An operator's seek or purge: nothing is out or waits any more. */
    void clear() {
        keys.clear();
        out.clear();
        waitingOffsets.clear();
    }

    int waiting() {
        return waitingOffsets.size();
    }

    /** The lowest offset waiting, or {@code Long.MAX_VALUE} when none does. */
    long lowestWaiting() {
        return waitingOffsets.isEmpty() ? Long.MAX_VALUE : waitingOffsets.first();
    }

    /** Keys with a message out. */
    int busyKeys() {
        return out.size();
    }
}
