package dev.courier.mq.broker.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.LongPredicate;

/**
 * The unacknowledged deliveries of one {@link Subscription} and when each goes out again. A delivery is
 * <i>in flight</i>, held by one consumer until its ack deadline (which the consumer may extend), or
 * <i>pending redelivery</i>, due at a time: nacked (after the consumer's delay, or else the broker's
 * exponential backoff from {@code backoffBase} per delivery so far, at most {@code backoffMax}), past
 * its ack deadline or left behind by its consumer (due at once), or failed to go to the dead-letter
 * topic (due after {@code backoffMax}). Pending deliveries go out in order of due time, then offset;
 * the consumer that held one last may still acknowledge it.
 *
 * <p>Acknowledgements are not kept here (the {@link AckLedger} has them): a pending delivery that was
 * acknowledged or dead-lettered meanwhile is dropped when it comes up ({@link #due}).
 *
 * <p>Not thread-safe: guarded by the owning subscription's monitor. In memory only: no I/O, no futures.
 */
final class Redeliveries {

    /** A delivery held by one consumer until its ack deadline. */
    static final class Held {
        final long offset;
        final String consumerId;
        final int deliveries;
        long deadline;

        Held(long offset, String consumerId, int deliveries, long deadline) {
            this.offset = offset;
            this.consumerId = consumerId;
            this.deliveries = deliveries;
            this.deadline = deadline;
        }
    }

    /** A message waiting to be delivered again; {@code lastHolder} may still acknowledge it. */
    record Pending(long offset, int deliveries, long dueAt, String reason, String lastHolder) {}

    private final Duration backoffBase;
    private final Duration backoffMax;
    private final Map<Long, Held> inFlight = new HashMap<>();
    private final TreeSet<Pending> pending = new TreeSet<>(
            (a, b) -> a.dueAt != b.dueAt ? Long.compare(a.dueAt, b.dueAt) : Long.compare(a.offset, b.offset));

    Redeliveries(Duration backoffBase, Duration backoffMax) {
        this.backoffBase = backoffBase;
        this.backoffMax = backoffMax;
    }

    /** {@code offset} goes to {@code consumerId} (its {@code deliveries}th delivery) until {@code deadline}. */
    void hold(long offset, String consumerId, int deliveries, long deadline) {
        inFlight.put(offset, new Held(offset, consumerId, deliveries, deadline));
    }

    /** The in-flight delivery of {@code offset}, or null. */
    Held held(long offset) {
        return inFlight.get(offset);
    }

    boolean isInFlight(long offset) {
        return inFlight.containsKey(offset);
    }

    /** {@code offset} is no longer in flight (acknowledged). */
    void release(long offset) {
        inFlight.remove(offset);
    }

    int inFlightCount() {
        return inFlight.size();
    }

    /** Moves the ack deadline of {@code consumerId}'s own deliveries among {@code offsets}; returns how many. */
    int extend(String consumerId, long[] offsets, long deadline) {
        int n = 0;
        for (long o : offsets) {
            Held h = inFlight.get(o);
            if (h != null && h.consumerId.equals(consumerId)) {
                h.deadline = deadline;
                n++;
            }
        }
        return n;
    }

    /** The in-flight {@code h} was nacked: it is due after {@code delayMillis}, or the backoff if that is 0. */
    void nacked(Held h, long delayMillis, String reason, long now) {
        inFlight.remove(h.offset);
        long delay = delayMillis > 0 ? delayMillis : backoff(h.deliveries);
        pending.add(new Pending(h.offset, h.deliveries, now + delay, reason, h.consumerId));
    }

    private long backoff(int deliveries) {
        long base = backoffBase.toMillis();
        long d = base << Math.min(20, Math.max(0, deliveries - 1));
        return Math.min(d, backoffMax.toMillis());
    }

    /** The deliveries whose ack deadline passed are due at once; returns them (no longer in flight). */
    List<Held> expire(long now) {
        List<Held> expired = new ArrayList<>();
        for (Iterator<Held> it = inFlight.values().iterator(); it.hasNext(); ) {
            Held h = it.next();
            if (h.deadline <= now) {
                it.remove();
                expired.add(h);
                pending.add(new Pending(h.offset, h.deliveries, now, "ack deadline passed", h.consumerId));
            }
        }
        return expired;
    }

    /** {@code consumerId} left: what it holds is due at once; returns how many. */
    int left(String consumerId, String reason, long now) {
        int n = 0;
        for (Iterator<Held> it = inFlight.values().iterator(); it.hasNext(); ) {
            Held h = it.next();
            if (h.consumerId.equals(consumerId)) {
                it.remove();
                pending.add(new Pending(h.offset, h.deliveries, now, reason, consumerId));
                n++;
            }
        }
        return n;
    }

    /** {@code offset}, held back until now (for key order), is due at once after {@code deliveries} deliveries. */
    void released(long offset, int deliveries, long now) {
        pending.add(new Pending(offset, deliveries, now, null, null));
    }

    /** Dead-lettering {@code offset} failed: it is due again after the longest backoff. */
    void retry(long offset, int deliveries, String reason, long now) {
        pending.add(new Pending(offset, deliveries, now + backoffMax.toMillis(), reason, null));
    }

    /**
     * Up to {@code max} pending deliveries due at {@code now}, first due first; they stay pending until
     * {@linkplain #dequeue taken}. One that is {@code settled} (acknowledged or being dead-lettered) or in
     * flight again is dropped on the way.
     */
    List<Pending> due(long now, int max, LongPredicate settled) {
        List<Pending> due = new ArrayList<>();
        for (Iterator<Pending> it = pending.iterator(); it.hasNext() && due.size() < max; ) {
            Pending p = it.next();
            if (p.dueAt() > now) {
                break;
            }
            if (settled.test(p.offset()) || inFlight.containsKey(p.offset())) {
                it.remove();
                continue;
            }
            due.add(p);
        }
        return due;
    }

    /** Whether {@code p} is still pending (no other fetch took it). */
    boolean isPending(Pending p) {
        return pending.contains(p);
    }

    void dequeue(Pending p) {
        pending.remove(p);
    }

    /** Whether a pending delivery is due at {@code now}. */
    boolean anyDue(long now) {
        return !pending.isEmpty() && pending.first().dueAt() <= now;
    }

    /** Whether {@code offset} waits for redelivery and {@code consumerId} held it last. */
    boolean lastHeldBy(long offset, String consumerId) {
        for (Pending p : pending) {
            if (p.offset() == offset) {
                return consumerId.equals(p.lastHolder());
            }
        }
        return false;
    }

    /** Forgets every pending redelivery (an operator's seek, with no consumer attached, so none in flight). */
    void clearPending() {
        pending.clear();
    }
}
