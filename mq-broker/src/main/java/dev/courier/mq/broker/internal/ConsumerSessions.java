package dev.courier.mq.broker.internal;

import dev.courier.mq.client.protocol.FetchResult;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * The consumers attached to one {@link Subscription}: each one's session (prefetch, ack timeout, last
 * contact), how many deliveries it holds — its credit is its prefetch minus that — and its waiting
 * fetch, if any (one at a time: a new fetch ends the previous one's wait). A fetch, an ack, a nack or an
 * extension is contact; a consumer whose fetch waits stays in contact; one with no contact for the
 * session timeout is {@linkplain #idle idle} and is detached by the subscription.
 *
 * <p>Which deliveries a consumer holds is kept by {@link Redeliveries}; here only their count.
 *
 * <p>Not thread-safe: guarded by the owning subscription's monitor. It completes no future: the
 * futures of ended waits are handed back, to be completed outside the monitor.
 */
final class ConsumerSessions {

    /** One attached consumer. */
    static final class Consumer {
        private final String id;
        private int prefetch = 1;
        private int held;
        private long lastSeen;
        private long ackTimeout;

        private Consumer(String id) {
            this.id = id;
        }

        String id() {
            return id;
        }

        /** How long a delivery to it is held before it is redelivered, in milliseconds. */
        long ackTimeout() {
            return ackTimeout;
        }
    }

    /** A fetch of {@code consumer} waiting until {@code expiresAt} for up to {@code maxMessages}. */
    record Wait(Consumer consumer, int maxMessages, long expiresAt, CompletableFuture<FetchResult> future) {}

    private final Map<String, Consumer> consumers = new LinkedHashMap<>();
    private final ArrayDeque<Wait> waits = new ArrayDeque<>();

    /**
     * A fetch of {@code consumerId}: attaches it or refreshes its session, and ends its waiting fetch
     * (whose future goes to {@code ended}).
     */
    Consumer attach(
            String consumerId, int prefetch, long ackTimeout, long now, List<CompletableFuture<FetchResult>> ended) {
        Consumer c = consumers.computeIfAbsent(consumerId, Consumer::new);
        c.lastSeen = now;
        c.prefetch = prefetch;
        c.ackTimeout = ackTimeout;
        endWaitsOf(c, ended);
        return c;
    }

    /** Whether {@code c} is (still) attached: it was not detached since. */
    boolean isAttached(Consumer c) {
        return consumers.get(c.id) == c;
    }

    /** Contact from {@code consumerId}: the attached consumer (its session refreshed), or null. */
    Consumer touch(String consumerId, LongSupplier clock) {
        Consumer c = consumerId == null ? null : consumers.get(consumerId);
        if (c != null) {
            c.lastSeen = clock.getAsLong();
        }
        return c;
    }

    /** How many more deliveries {@code c} may hold. */
    int credit(Consumer c) {
        return c.prefetch - c.held;
    }

    /** {@code c} was handed a delivery. */
    void took(Consumer c) {
        c.held++;
    }

    /** A delivery {@code consumerId} held was acknowledged, nacked or expired. */
    void released(String consumerId) {
        Consumer holder = consumers.get(consumerId);
        if (holder != null) {
            holder.held--;
        }
    }

    /** Detaches {@code consumerId}, ending its waiting fetch; returns it, or null if it was not attached. */
    Consumer detach(String consumerId, List<CompletableFuture<FetchResult>> ended) {
        Consumer c = consumers.remove(consumerId);
        if (c != null) {
            endWaitsOf(c, ended);
        }
        return c;
    }

    /**
     * The consumers with no contact for more than {@code sessionMillis}, in the order they attached; a
     * consumer whose fetch waits is in contact now.
     */
    List<String> idle(long now, long sessionMillis) {
        Set<Consumer> waiting = new HashSet<>();
        for (Wait w : waits) {
            waiting.add(w.consumer());
        }
        List<String> idle = new ArrayList<>();
        for (Consumer c : consumers.values()) {
            if (waiting.contains(c)) {
                c.lastSeen = now;
            } else if (now - c.lastSeen > sessionMillis) {
                idle.add(c.id);
            }
        }
        return idle;
    }

    int size() {
        return consumers.size();
    }

    /** Parks a fetch of {@code c} that found nothing. */
    void park(Consumer c, int maxMessages, long expiresAt, CompletableFuture<FetchResult> future) {
        waits.add(new Wait(c, maxMessages, expiresAt, future));
    }

    /** Whether {@code w} still waits (no other path answered it). */
    boolean isWaiting(Wait w) {
        return waits.contains(w);
    }

    /** {@code w} is answered with deliveries at {@code now}: it waits no more. */
    void served(Wait w, long now) {
        waits.remove(w);
        w.consumer().lastSeen = now;
    }

    /** The waiting fetches, oldest first (a copy). */
    List<Wait> waiting() {
        return new ArrayList<>(waits);
    }

    boolean anyWaiting() {
        return !waits.isEmpty();
    }

    /** Ends the waits that expired by {@code now} (their consumers were in contact until now). */
    void expireWaits(long now, List<CompletableFuture<FetchResult>> ended) {
        for (Iterator<Wait> it = waits.iterator(); it.hasNext(); ) {
            Wait w = it.next();
            if (w.expiresAt() <= now) {
                it.remove();
                w.consumer().lastSeen = now;
                ended.add(w.future());
            }
        }
    }

    /** Ends every wait (the subscription closes). */
    void endAllWaits(List<CompletableFuture<FetchResult>> ended) {
        for (Wait w : waits) {
            ended.add(w.future());
        }
        waits.clear();
    }

    private void endWaitsOf(Consumer c, List<CompletableFuture<FetchResult>> ended) {
        for (Iterator<Wait> it = waits.iterator(); it.hasNext(); ) {
            Wait w = it.next();
            if (w.consumer() == c) {
                it.remove();
                ended.add(w.future());
            }
        }
    }

    /** What an operator sees of one attached consumer. */
    record View(String id, int prefetch, int held, long ackTimeoutMillis, long idleMillis, boolean waiting) {}

    /** The attached consumers, in the order they attached, as seen at {@code now}. */
    List<View> views(long now) {
        Set<Consumer> waiting = new HashSet<>();
        for (Wait w : waits) {
            waiting.add(w.consumer());
        }
        List<View> out = new ArrayList<>(consumers.size());
        for (Consumer c : consumers.values()) {
            boolean waits = waiting.contains(c);
            out.add(new View(c.id, c.prefetch, c.held, c.ackTimeout, waits ? 0 : Math.max(0, now - c.lastSeen), waits));
        }
        return out;
    }
}
