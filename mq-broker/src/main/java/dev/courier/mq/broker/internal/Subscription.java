package dev.courier.mq.broker.internal;

import dev.courier.mq.broker.BrokerConfig;
import dev.courier.mq.broker.internal.ConsumerSessions.Consumer;
import dev.courier.mq.broker.internal.ConsumerSessions.Wait;
import dev.courier.mq.broker.internal.Redeliveries.Held;
import dev.courier.mq.broker.internal.Redeliveries.Pending;
import dev.courier.mq.broker.storage.StoredRecord;
import dev.courier.mq.broker.storage.TopicLog;
import dev.courier.mq.client.protocol.Delivery;
import dev.courier.mq.client.protocol.FetchRequest;
import dev.courier.mq.client.protocol.FetchResult;
import dev.courier.mq.client.protocol.SubscriptionSpec;
import dev.courier.mq.client.protocol.SubscriptionStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * A named durable cursor on a topic and the delivery state of its consumers.
 *
 * <p><b>State of a message</b> (by offset): <i>fresh</i> (at or past {@code readNext}), <i>in flight</i>
 * (held by one consumer until its ack deadline), <i>pending redelivery</i> (nacked, expired, or its
 * consumer left; due at a time), <i>being dead-lettered</i>, or <i>acknowledged</i> (below the ack
 * floor or in the set of offsets acknowledged above it; this part is persisted in the {@link CursorLog}).
 *
 * <p><b>Delivery counts</b> survive restarts, so a message that keeps failing is dead-lettered after
 * {@code maxDeliveries} deliveries in all, however often the broker restarts in between. Before a
 * fetch hands out messages, the cursor log records the count of each second or later delivery, and
 * once for the whole fetch that everything below the next offset to read was handed out at least once
 * (a first delivery is not recorded one by one). After a restart, an unacknowledged message is
 * delivered again with its recorded count plus one (2 if it was only ever delivered once), or is
 * dead-lettered at once if that count reached {@code maxDeliveries}. Exact for a killed process; a
 * machine crash may lose the cursor entries written since it was last forced (every housekeeping
 * interval), and the counts then miss the deliveries of that interval. Not persisted: the reason of the
 * last failure (a message dead-lettered right after a restart says so instead) and pending backoff
 * delays (after a restart an unacknowledged message is due at once).
 *
 * <p><b>Ordering.</b> Fresh messages are handed out in offset order. With one consumer, messages
 * arrive in publish order except that a redelivered message comes back later than messages after it.
 * With competing consumers, each consumer sees its share in increasing offset order, there is no
 * order across consumers, and a message is held by one consumer at a time — unless its ack deadline
 * passes, when it is redelivered while the first holder may still be working on it.
 *
 * <p><b>Flow control.</b> A consumer never holds more than its {@code prefetch} unacknowledged
 * messages; a fetch with no credit waits for acks.
 *
 * <p><b>Jobs.</b> The {@link AckLedger} keeps the acknowledgements and delivery counts and owns the
 * cursor log; {@link Redeliveries} keeps the in-flight deliveries, their ack deadlines and the
 * redelivery queue; {@link ConsumerSessions} keeps the attached consumers, their sessions, credit
 * and waiting fetches; this class hands out fresh messages and redeliveries and dead-letters.
 *
 * <p>Thread-safe: every method synchronizes on the subscription, whose monitor guards the ledger,
 * the redeliveries and the sessions too. Futures are completed outside the monitor, and the log is
 * read outside it (a fetch plans under it, reads, then applies under it again).
 */
final class Subscription {

    private static final Logger log = LoggerFactory.getLogger(Subscription.class);

    private final String topicName;
    private final String name;
    private final TopicLog topicLog;
    private final BrokerConfig config;
    private final DeadLetters deadLetters;
    private final LongSupplier clock;

    /** Acknowledgements, delivery counts and gaps; owns the cursor log. */
    private final AckLedger ledger;

    private long readNext;
    /** In-flight deliveries, their ack deadlines and the redelivery queue. */
    private final Redeliveries redeliveries;
    /** Runs the reads of waiting fetches: never an I/O thread, never under this monitor. */
    private final java.util.concurrent.Executor delivery;

    private final java.util.concurrent.atomic.AtomicBoolean dispatchScheduled =
            new java.util.concurrent.atomic.AtomicBoolean();
    private final Set<Long> deadLettering = new HashSet<>();
    /** The attached consumers, their credit and their waiting fetches. */
    private final ConsumerSessions sessions = new ConsumerSessions();

    /** The topic's time to live of messages in milliseconds (0: none), as it is in force now. */
    private final LongSupplier topicTtlMillis;

    private final SubscriptionSpec spec;
    /** The messages it takes, or null for all. */
    private final RoutingFilter filter;
    /** For a key-ordered subscription: the keys with a message out, and what waits behind it; else null. */
    private final KeyOrder keyOrder;
    /** Offsets below this (and at or above {@code readNext}) were checked against the filter ahead of reading. */
    private long scannedTo;

    private final java.util.concurrent.atomic.AtomicBoolean scanScheduled =
            new java.util.concurrent.atomic.AtomicBoolean();
    private long filtered;

    private long deadLettered;
    private long expired;
    private long delivered;
    private long redelivered;
    private long acknowledged;
    private long nacked;
    private boolean closed;

    /** What a delivery adds to a fetch answer beyond its payload and headers (offset, counts, framing). */
    static final int DELIVERY_OVERHEAD = 64;

    /** A subscription continuing from {@code state}, which its {@code cursor} holds. */
    Subscription(
            String topicName,
            String name,
            TopicLog topicLog,
            CursorLog cursor,
            CursorLog.State state,
            BrokerConfig config,
            DeadLetters deadLetters,
            LongSupplier clock,
            java.util.concurrent.Executor delivery,
            LongSupplier topicTtlMillis,
            SubscriptionSpec spec) {
        this.delivery = delivery;
        this.topicTtlMillis = topicTtlMillis;
        this.spec = spec == null ? SubscriptionSpec.PLAIN : spec;
        this.filter = RoutingFilter.of(this.spec);
        this.keyOrder = this.spec.keyOrdered() ? new KeyOrder() : null;
        this.topicName = topicName;
        this.name = name;
        this.topicLog = topicLog;
        this.ledger = new AckLedger(topicName + "/" + name, cursor, state);
        this.readNext = state.floor();
        this.redeliveries = new Redeliveries(config.backoffBase(), config.backoffMax());
        this.config = config;
        this.deadLetters = deadLetters;
        this.clock = clock;
    }

    String name() {
        return name;
    }

    String topicName() {
        return topicName;
    }

    SubscriptionSpec spec() {
        return spec;
    }

    /** Fresh records a filtered subscription reads at once, however little credit its consumer has. */
    private static final int FILTERED_READ = 1024;
    /** Reads one fetch makes through records its filter refuses before it answers (or parks) empty. */
    private static final int FILTERED_ROUNDS = 16;
    /** Offsets a filter scan ahead may acknowledge above the floor (each is kept in memory until the floor passes). */
    static final int MAX_SCANNED_ACKS = 65_536;

    private static final FetchResult EMPTY = new FetchResult(List.of());

    /**
     * A consumer's fetch: registers it (or refreshes its session), answers what is available, or parks
     * the fetch until something is or its wait ends. Call it off the I/O threads: it reads the log
     * (outside this monitor). The returned future is completed outside this monitor.
     */
    CompletableFuture<FetchResult> fetch(FetchRequest req) {
        List<CompletableFuture<FetchResult>> emptied = new ArrayList<>();
        Consumer c;
        long now;
        synchronized (this) {
            now = clock.getAsLong();
            c = sessions.attach(
                    req.consumerId(),
                    Math.max(1, Math.min(req.prefetch(), config.maxPrefetch())),
                    req.ackTimeoutMillis() > 0 ? req.ackTimeoutMillis() : 30_000,
                    now,
                    emptied);
        }
        emptied.forEach(f -> f.complete(EMPTY));
        int max = Math.min(req.maxMessages(), config.maxPrefetch());
        List<Delivery> out = max <= 0 ? List.of() : collect(c, max, null);
        CompletableFuture<FetchResult> future = new CompletableFuture<>();
        boolean waiting = false;
        synchronized (this) {
            if (out != null && out.isEmpty() && req.waitMillis() > 0 && !closed && sessions.isAttached(c)) {
                sessions.park(c, max, now + req.waitMillis(), future);
                waiting = true;
            }
        }
        if (!waiting) {
            future.complete(out == null ? EMPTY : new FetchResult(out));
        } else {
            dispatchLater(); // something may have become available while this fetch was reading
        }
        return future;
    }

    /**
     * What one fetch will try to hand out, decided under the monitor: the due redeliveries (up to the
     * credit) and where fresh messages start.
     */
    private record Plan(
            Consumer consumer, int credit, List<Pending> redeliveries, long freshFrom, long durable, long now) {}

    /** The records a plan needs, read outside the monitor; {@code redelivered} is parallel to the plan's list. */
    private record Reads(List<StoredRecord> redelivered, List<StoredRecord> fresh) {}

    /**
     * Hands out up to {@code maxMessages} (and the consumer's credit) due redeliveries, then fresh
     * messages, in at most {@code maxFetchBytes} of payload and headers: a message that would go past
     * that waits for the next fetch, except that the first message of an answer always goes, however
     * large (publishes are limited to {@code maxMessageBytes}, below the frame limit). Plans under the
     * monitor, reads the log outside it, then applies what still holds under the monitor again. For a
     * {@code waiting} fetch, answers null if it was answered meanwhile; the deliveries are its when it
     * leaves the waiting list here.
     */
    private List<Delivery> collect(Consumer c, int maxMessages, Wait waiting) {
        for (int round = 1; ; round++) {
            Plan plan = plan(c, maxMessages);
            if (plan == null) {
                return List.of();
            }
            List<StoredRecord> redelivered = new ArrayList<>(plan.redeliveries().size());
            for (Pending p : plan.redeliveries()) {
                redelivered.add(topicLog.readAt(p.offset()));
            }
            int count = filter != null || keyOrder != null ? Math.max(plan.credit(), FILTERED_READ) : plan.credit();
            List<StoredRecord> fresh = plan.freshFrom() < plan.durable()
                    ? topicLog.read(plan.freshFrom(), count, config.maxFetchBytes())
                    : List.of();
            List<Delivery> out = apply(plan, new Reads(redelivered, fresh), waiting);
            // records the filter or key order held back used no credit: read on, a few times, rather than
            // answering empty while more may follow
            if (out == null || !out.isEmpty() || fresh.isEmpty() || round >= FILTERED_ROUNDS || !readPast(plan)) {
                return out;
            }
        }
    }

    /** Whether the fresh reads went past {@code plan}'s start and more is stored (a filtered round may go on). */
    private synchronized boolean readPast(Plan plan) {
        return (filter != null || keyOrder != null)
                && readNext > plan.freshFrom()
                && readNext < topicLog.durableOffset();
    }

    private synchronized Plan plan(Consumer c, int maxMessages) {
        if (closed || !sessions.isAttached(c)) {
            return null;
        }
        int credit = Math.min(maxMessages, sessions.credit(c));
        if (credit <= 0) {
            return null;
        }
        long now = clock.getAsLong();
        long start = topicLog.startOffset();
        if (readNext < start) {
            // Retention removed the records below start: jump the floor as housekeeping will, rather
            // than acknowledging each missing offset one by one.
            retained(start);
        }
        List<Pending> due = redeliveries.due(now, credit, this::settled);
        return new Plan(c, credit, due, readNext, topicLog.durableOffset(), now);
    }

    private synchronized List<Delivery> apply(Plan plan, Reads reads, Wait waiting) {
        Consumer c = plan.consumer();
        if (waiting != null && !sessions.isWaiting(waiting)) {
            return null;
        }
        if (closed || !sessions.isAttached(c)) {
            return List.of();
        }
        long now = plan.now();
        int credit = Math.min(plan.credit(), sessions.credit(c));
        long budget = config.maxFetchBytes();
        List<Delivery> out = new ArrayList<>();
        for (int i = 0; i < plan.redeliveries().size() && credit > 0; i++) {
            Pending p = plan.redeliveries().get(i);
            StoredRecord r = reads.redelivered().get(i);
            if (!redeliveries.isPending(p)) {
                continue; // taken by another fetch meanwhile
            }
            if (settled(p.offset()) || redeliveries.isInFlight(p.offset())) {
                redeliveries.dequeue(p);
                continue;
            }
            if (r == null) {
                redeliveries.dequeue(p);
                if (p.offset() < topicLog.startOffset()) {
                    markAcked(p.offset()); // removed by retention
                } else {
                    ledger.gap(p.offset());
                    log.error(
                            "Topic {} subscription {}: offset {} has no readable record any more; it stays "
                                    + "unacknowledged until an operator acknowledges the loss",
                            topicName,
                            name,
                            p.offset());
                }
                continue;
            }
            if (!out.isEmpty() && sizeOf(r) > budget) {
                break; // stays first in line for the next fetch
            }
            redeliveries.dequeue(p);
            if (p.deliveries() >= config.maxDeliveries()) {
                deadLetter(r, p);
                continue;
            }
            if (isExpired(r, now)) {
                expire(r, p.deliveries(), now);
                continue;
            }
            out.add(deliver(c, r, p.deliveries() + 1, now));
            budget -= sizeOf(r);
            credit--;
        }
        if (readNext == plan.freshFrom()) {
            for (StoredRecord r : reads.fresh()) {
                if (credit <= 0 || (!out.isEmpty() && sizeOf(r) > budget)) {
                    break;
                }
                if (keyOrder != null && keyOrder.full() && r.key() != null) {
                    break; // enough waits behind busy keys: read on once some of it went
                }
                passOver(r.offset());
                readNext = r.offset() + 1;
                if (isAcked(r.offset())) {
                    continue;
                }
                if (r.meta().deliverAt() != 0 || isHalfOrMarker(r)) {
                    // a delayed original or a half message: its copy is delivered when it is due or committed
                    markAcked(r.offset());
                    continue;
                }
                if (filter != null && !filter.matches(r)) {
                    markAcked(r.offset()); // never this subscription's: settled as it is read past
                    filtered++;
                    continue;
                }
                if (keyOrder != null && r.key() != null && !keyOrder.take(r.key(), r.offset())) {
                    continue; // waits until the message of its key that is out is settled
                }
                int before = ledger.deliveriesBefore(r.offset());
                if (before >= config.maxDeliveries()) {
                    deadLetter(
                            r,
                            new Pending(
                                    r.offset(),
                                    before,
                                    now,
                                    "reached " + before
                                            + " deliveries before the broker restarted; the last failure is not known",
                                    null));
                    continue;
                }
                if (isExpired(r, now)) {
                    expire(r, before, now);
                    continue;
                }
                out.add(deliver(c, r, before + 1, now));
                budget -= sizeOf(r);
                credit--;
            }
        }
        // held back for key order is not handed out: after a restart it must not count as delivered
        ledger.handedOutBelow(keyOrder == null ? readNext : Math.min(readNext, keyOrder.lowestWaiting()));
        if (waiting != null && !out.isEmpty()) {
            sessions.served(waiting, now);
        }
        return out;
    }

    private static boolean isHalfOrMarker(StoredRecord r) {
        Map<String, String> h = r.headers();
        return !h.isEmpty() && (h.containsKey(Transactions.TXN) || h.containsKey(Transactions.ABORTED));
    }

    /** The bytes a record adds to a fetch answer. */
    private static long sizeOf(StoredRecord r) {
        long size = DELIVERY_OVERHEAD
                + r.payload().length
                + (r.key() == null ? 0 : 3L * r.key().length());
        for (Map.Entry<String, String> h : r.headers().entrySet()) {
            size += 8 + 3L * (h.getKey().length() + h.getValue().length());
        }
        return size;
    }

    /**
     * The next record read is at {@code offset}: the offsets in {@code [readNext, offset)} hold no
     * record. Below the log's start, retention removed them and the floor jumps; inside the log, damage
     * took them: they become a {@linkplain #gaps gap}, reported and never acknowledged by the broker on
     * its own (an operator can {@link #acknowledgeLoss acknowledge the loss}).
     */
    private void passOver(long offset) {
        if (offset <= readNext) {
            return;
        }
        long start = topicLog.startOffset();
        if (readNext < start && ledger.floor() >= readNext) {
            ledger.setFloor(Math.min(offset, start));
        }
        long from = Math.max(readNext, ledger.floor());
        if (from < offset) {
            for (long o = from; o < offset; o++) {
                ledger.gap(o);
            }
            log.error(
                    "Topic {} subscription {}: offsets {}..{} have no readable record ({}); they stay "
                            + "unacknowledged until an operator acknowledges the loss",
                    topicName,
                    name,
                    from,
                    offset - 1,
                    topicLog.isMissing(from) ? "damaged on disk" : "not found");
        }
        readNext = offset;
    }

    /**
     * An operator's acknowledgement that the offsets in {@code [from, to)} are lost: they are marked
     * acknowledged (so the floor and retention move on). Only offsets that are gaps are affected.
     *
     * @return how many offsets were acknowledged
     */
    synchronized int acknowledgeLoss(long from, long to) {
        int n = ledger.acknowledgeLoss(from, to);
        if (n > 0) {
            log.warn(
                    "Topic {} subscription {}: {} lost offsets in {}..{} acknowledged by an operator",
                    topicName,
                    name,
                    n,
                    from,
                    to - 1);
        }
        return n;
    }

    /**
     * An operator's seek: the subscription goes on from {@code offset} (clamped to what the log holds):
     * every message below it counts as acknowledged, every message at or above it is delivered again as
     * if never delivered (a seek back redelivers, a seek forward skips). Pending redeliveries are
     * forgotten. Refused while consumers are attached, as a reset of a Kafka consumer group is: a
     * consumer holding messages across a seek would acknowledge into the new position.
     *
     * @return the offset the subscription goes on from
     * @throws IllegalStateException while consumers are attached
     */
    synchronized long seek(long offset) {
        if (closed) {
            throw new IllegalStateException("Subscription " + topicName + "/" + name + " is closed");
        }
        if (sessions.size() > 0) {
            throw new IllegalStateException(sessions.size() + " consumers are attached to " + topicName + "/" + name
                    + "; stop or close them before a seek");
        }
        long to = Math.max(topicLog.startOffset(), Math.min(offset, topicLog.durableOffset()));
        ledger.reset(to);
        redeliveries.clearPending();
        readNext = to;
        scannedTo = to;
        if (keyOrder != null) {
            keyOrder.clear();
        }
        log.warn("Topic {} subscription {}: an operator moved it to offset {}", topicName, name, to);
        return to;
    }

    /**
     * An operator's purge: every message stored now counts as acknowledged, those held by consumers too
     * (their acks change nothing, and one that fails is not redelivered). Consumers may stay attached.
     *
     * @return how many messages were not acknowledged before
     */
    synchronized long purge() {
        long end = topicLog.durableOffset();
        long backlog = ledger.backlog(end);
        ledger.setFloor(end);
        readNext = Math.max(readNext, ledger.floor());
        if (keyOrder != null) {
            keyOrder.clear();
        }
        if (backlog > 0) {
            log.warn("Topic {} subscription {}: an operator purged {} messages", topicName, name, backlog);
        }
        dispatchLater();
        return backlog;
    }

    /** Acknowledges {@code offsets} as the operator (no consumer); answers how many were not yet. */
    synchronized int acknowledge(long[] offsets) {
        int n = 0;
        long end = topicLog.durableOffset();
        for (long o : offsets) {
            if (o < end && markAcked(o)) {
                n++;
                acknowledged++;
            }
        }
        return n;
    }

    /** Whether {@code offset} is acknowledged (or on its way to the dead-letter topic). */
    synchronized boolean isSettled(long offset) {
        return settled(offset);
    }

    /** The attached consumers, for an operator. */
    synchronized List<ConsumerSessions.View> consumers() {
        return sessions.views(clock.getAsLong());
    }

    private Delivery deliver(Consumer c, StoredRecord r, int deliveries, long now) {
        delivered++;
        if (deliveries > 1) {
            redelivered++;
        }
        ledger.delivering(r.offset(), deliveries);
        if (keyOrder != null && deliveries == 1) {
            keyOrder.handedOut(r.offset());
            if (keyOrder.lowestWaiting() < r.offset()) {
                // the hand-out mark stops below, at a message held back: record this first delivery itself
                ledger.deliveredOnceAbove(r.offset());
            }
        }
        redeliveries.hold(r.offset(), c.id(), deliveries, now + c.ackTimeout());
        sessions.took(c);
        return new Delivery(
                r.offset(),
                r.timestamp(),
                deliveries,
                r.headers(),
                r.payload(),
                r.key(),
                r.meta().eventTime());
    }

    /**
     * Whether the record's time to live passed: its own (set by its producer), or the topic's counted from when
     * it was stored, whichever ends first.
     */
    private boolean isExpired(StoredRecord r, long now) {
        long own = r.meta().expiresAt();
        if (own != 0 && now >= own) {
            return true;
        }
        long ttl = topicTtlMillis.getAsLong();
        return ttl > 0 && now - r.timestamp() >= ttl;
    }

    /** An expired record instead of its delivery: dead-lettered with reason {@code expired}, or dropped. */
    private void expire(StoredRecord r, int deliveries, long now) {
        expired++;
        if (config.expired() == BrokerConfig.Expired.DROP) {
            markAcked(r.offset());
            log.debug("Topic {} subscription {}: offset {} expired and was dropped", topicName, name, r.offset());
        } else {
            deadLetter(r, new Pending(r.offset(), deliveries, now, EXPIRED, null));
        }
    }

    /** The failure of a message dead-lettered because its time to live passed. */
    static final String EXPIRED = "expired";

    private void deadLetter(StoredRecord r, Pending p) {
        long offset = r.offset();
        deadLettering.add(offset);
        String reason = p.reason() == null ? "unknown" : p.reason();
        deadLetters.send(topicName, name, r, p.deliveries(), reason).whenComplete((v, e) -> {
            synchronized (this) {
                deadLettering.remove(offset);
                if (e == null) {
                    markAcked(offset);
                    deadLettered++;
                    log.info(
                            "Topic {} subscription {}: offset {} dead-lettered after {} deliveries ({})",
                            topicName,
                            name,
                            offset,
                            p.deliveries(),
                            reason);
                } else {
                    log.error(
                            "Topic {} subscription {}: dead-lettering offset {} failed; will retry",
                            topicName,
                            name,
                            offset,
                            e);
                    redeliveries.retry(offset, p.deliveries(), reason, clock.getAsLong());
                }
            }
        });
    }

    private boolean isAcked(long offset) {
        return ledger.isAcked(offset);
    }

    /** Whether {@code offset} needs no redelivery: acknowledged, or going to the dead-letter topic. */
    private boolean settled(long offset) {
        return isAcked(offset) || deadLettering.contains(offset);
    }

    private boolean markAcked(long offset) {
        boolean changed = ledger.markAcked(offset);
        if (keyOrder != null) {
            settledForKey(offset);
        }
        return changed;
    }

    /**
     * {@code offset} is settled: if it was the message out for its key, the next one waiting for that key is due
     * now (as a redelivery of the deliveries it had, usually none).
     */
    private void settledForKey(long offset) {
        long next;
        while ((next = keyOrder.settled(offset)) >= 0) {
            if (!settled(next)) {
                redeliveries.released(next, ledger.deliveriesBefore(next), clock.getAsLong());
                dispatchLater();
                return;
            }
            offset = next; // settled while it waited (an operator's ack): the one after it goes
        }
    }

    /**
     * Acknowledges the offsets that this consumer holds, or held last while they wait for redelivery; an
     * offset delivered to another consumer, or never delivered, is refused (not counted). An offset
     * leaves the consumer's deliveries only once its acknowledgement is stored: if the cursor write
     * fails, the call fails and the message stays held.
     *
     * @return how many offsets were newly acknowledged
     */
    synchronized int ack(String consumerId, long[] offsets) {
        Consumer c = sessions.touch(consumerId, clock);
        int n = 0;
        try {
            for (long o : offsets) {
                Held h = redeliveries.held(o);
                boolean own = h != null ? h.consumerId.equals(consumerId) : redeliveries.lastHeldBy(o, consumerId);
                if (!own) {
                    continue;
                }
                if (markAcked(o)) {
                    n++;
                    acknowledged++;
                }
                if (h != null) {
                    redeliveries.release(o);
                    release(h);
                }
            }
        } finally {
            if (c != null || n > 0) {
                dispatchLater();
            }
        }
        return n;
    }

    /** Gives back this consumer's own deliveries for redelivery after a delay (0: the broker's backoff). */
    synchronized int nack(String consumerId, long[] offsets, long delayMillis, String reason) {
        sessions.touch(consumerId, clock);
        long now = clock.getAsLong();
        int n = 0;
        for (long o : offsets) {
            Held h = redeliveries.held(o);
            if (h == null || !h.consumerId.equals(consumerId)) {
                continue;
            }
            redeliveries.nacked(h, delayMillis, reason, now);
            release(h);
            n++;
            nacked++;
        }
        dispatchLater();
        return n;
    }

    synchronized int extend(String consumerId, long[] offsets, long extendMillis) {
        sessions.touch(consumerId, clock);
        long now = clock.getAsLong();
        return redeliveries.extend(consumerId, offsets, now + extendMillis);
    }

    /** The consumer leaves: what it holds is redelivered at once, and its waiting fetch answers empty. */
    int detach(String consumerId, String reason) {
        List<CompletableFuture<FetchResult>> emptied = new ArrayList<>();
        int n;
        synchronized (this) {
            n = detachLocked(consumerId, reason, emptied);
        }
        emptied.forEach(f -> f.complete(EMPTY));
        dispatchLater();
        return n;
    }

    private int detachLocked(String consumerId, String reason, List<CompletableFuture<FetchResult>> emptied) {
        if (sessions.detach(consumerId, emptied) == null) {
            return 0;
        }
        long now = clock.getAsLong();
        int n = redeliveries.left(consumerId, reason, now);
        if (n > 0) {
            log.info(
                    "Topic {} subscription {}: consumer {} left ({}); {} messages will be redelivered",
                    topicName,
                    name,
                    consumerId,
                    reason,
                    n);
        }
        return n;
    }

    private void release(Held h) {
        sessions.released(h.consumerId);
    }

    /** Expires ack deadlines, sessions and waits; hands due redeliveries to waiting consumers. */
    void tick() {
        List<CompletableFuture<FetchResult>> emptied = new ArrayList<>();
        boolean due;
        boolean scan;
        synchronized (this) {
            long now = clock.getAsLong();
            for (Held h : redeliveries.expire(now)) {
                release(h);
            }
            long session = config.sessionTimeout().toMillis();
            for (String idle : sessions.idle(now, session)) {
                detachLocked(idle, "no contact for " + session + " ms", emptied);
            }
            sessions.expireWaits(now, emptied);
            due = sessions.anyWaiting() && (redeliveries.anyDue(now) || readNext < topicLog.durableOffset());
            scan = filter != null && !closed && Math.max(scannedTo, readNext) < topicLog.durableOffset();
        }
        emptied.forEach(f -> f.complete(EMPTY));
        if (due) {
            dispatchLater();
        }
        if (scan && scanScheduled.compareAndSet(false, true)) {
            try {
                delivery.execute(() -> {
                    try {
                        scanAhead();
                    } finally {
                        scanScheduled.set(false);
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                scanScheduled.set(false); // shutting down
            }
        }
    }

    /**
     * Acknowledges, ahead of any fetch, stored messages the filter refuses, so that they do not count as the
     * subscription's backlog while its consumers are idle: reads a batch past what was read or scanned (outside
     * the monitor, on the delivery pool), then settles what it refuses. At most {@link #MAX_SCANNED_ACKS} offsets
     * are kept acknowledged above the floor; past that, the rest is settled as fetches read past it.
     */
    private void scanAhead() {
        long from;
        synchronized (this) {
            from = Math.max(scannedTo, readNext);
            if (closed || from >= topicLog.durableOffset() || ledger.ackedAboveFloor() >= MAX_SCANNED_ACKS) {
                return;
            }
        }
        List<StoredRecord> records = topicLog.read(from, FILTERED_READ, config.maxFetchBytes());
        synchronized (this) {
            if (closed || Math.max(scannedTo, readNext) != from) {
                return; // a fetch or a seek moved on meanwhile
            }
            for (StoredRecord r : records) {
                if (ledger.ackedAboveFloor() >= MAX_SCANNED_ACKS) {
                    break;
                }
                if (!filter.matches(r) && !isAcked(r.offset())) {
                    markAcked(r.offset());
                    filtered++;
                }
                scannedTo = r.offset() + 1;
            }
        }
    }

    /** Runs {@link #dispatchParked} on the delivery executor, once however often it is asked for meanwhile. */
    void dispatchLater() {
        if (dispatchScheduled.compareAndSet(false, true)) {
            try {
                delivery.execute(() -> {
                    dispatchScheduled.set(false);
                    dispatchParked();
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                dispatchScheduled.set(false); // shutting down
            }
        }
    }

    /** Offers available messages to the waiting fetches, oldest first. Reads the log: off the I/O threads. */
    void dispatchParked() {
        List<Wait> snapshot;
        synchronized (this) {
            if (!sessions.anyWaiting()) {
                return;
            }
            snapshot = sessions.waiting();
        }
        for (Wait p : snapshot) {
            List<Delivery> out = collect(p.consumer(), p.maxMessages(), p);
            if (out != null && !out.isEmpty()) {
                p.future().complete(new FetchResult(out));
            }
        }
    }

    /** Every offset below this is acknowledged. */
    synchronized long ackFloor() {
        return ledger.floor();
    }

    /** Jumps the floor past records removed by a size or age limit. */
    synchronized void retained(long startOffset) {
        if (ledger.floor() < startOffset) {
            ledger.setFloor(startOffset);
            readNext = Math.max(readNext, ledger.floor());
            if (keyOrder != null) {
                for (long o : keyOrder.outBelow(ledger.floor())) {
                    settledForKey(o);
                }
            }
        }
    }

    /**
     * What the subscription has done since the broker started, and its backlog now: deliveries (first and
     * repeated), acknowledgements, negative acknowledgements, dead letters; messages ready (stored, not
     * acknowledged, not held by a consumer), unacknowledged (held), the consumers attached, and the lowest
     * offset not yet acknowledged. {@code expired} counts the messages whose time to live passed before they were
     * delivered (dead-lettered or dropped; the dead-lettered ones count in {@code deadLettered} too), and
     * {@code filtered} those its filter refused (acknowledged without delivery).
     */
    public record Counters(
            long delivered,
            long redelivered,
            long acknowledged,
            long nacked,
            long deadLettered,
            long expired,
            long filtered,
            long ready,
            long unacknowledged,
            int consumers,
            long floor,
            long end) {}

    synchronized Counters counters() {
        long end = topicLog.durableOffset();
        long backlog = ledger.backlog(end);
        int held = redeliveries.inFlightCount();
        return new Counters(
                delivered,
                redelivered,
                acknowledged,
                nacked,
                deadLettered,
                expired,
                filtered,
                Math.max(0, backlog - held),
                held,
                sessions.size(),
                ledger.floor(),
                end);
    }

    /**
     * Seconds since the oldest message not yet acknowledged was published, 0 when all are acknowledged.
     * Reads one record: call it off the I/O threads (the admin port's pool does).
     */
    double oldestUnacknowledgedAgeSeconds() {
        long floor;
        long end;
        synchronized (this) {
            floor = Math.max(ledger.floor(), topicLog.startOffset());
            end = topicLog.durableOffset();
        }
        for (long o = floor; o < end && o < floor + 1024; o++) {
            synchronized (this) {
                if (settled(o)) {
                    continue;
                }
            }
            StoredRecord r = topicLog.readAt(o);
            if (r != null) {
                return Math.max(0, clock.getAsLong() - r.timestamp()) / 1000.0; // the clock the log stamps records by
            }
            return 0;
        }
        return 0;
    }

    synchronized SubscriptionStats stats() {
        long end = topicLog.durableOffset();
        return new SubscriptionStats(
                ledger.floor(),
                end,
                ledger.backlog(end),
                redeliveries.inFlightCount(),
                sessions.size(),
                deadLettered,
                ledger.gapCount());
    }

    /**
     * Forces the cursor, compacting it first when it has grown: the state is copied under the monitor,
     * but the files are written and forced outside it (acks go on meanwhile and are carried over).
     */
    void sync() {
        CursorLog.State snapshot;
        synchronized (this) {
            if (closed) {
                return;
            }
            snapshot = ledger.beginCompactionIfDue();
        }
        try {
            if (snapshot != null) {
                try {
                    ledger.writeCompacted(snapshot);
                } catch (IOException | RuntimeException e) {
                    synchronized (this) {
                        ledger.abortCompaction();
                    }
                    throw e;
                }
                synchronized (this) {
                    ledger.finishCompaction();
                }
            }
            ledger.syncOutsideMonitor(snapshot != null);
            synchronized (this) {
                if (!closed) {
                    ledger.releaseIfIdle(); // an idle subscription holds no open file
                }
            }
        } catch (IOException e) {
            log.warn("Topic {} subscription {}: could not sync the cursor", topicName, name, e);
        }
    }

    void close() {
        close(false);
    }

    /**
     * Closes the subscription to delete it, unless consumers are attached: the check and the close are one
     * step, so no consumer attaches in between.
     *
     * @throws IllegalStateException while consumers are attached (nothing changed)
     */
    void closeToDelete() {
        close(true);
    }

    private void close(boolean unlessAttached) {
        List<CompletableFuture<FetchResult>> emptied = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            if (unlessAttached && sessions.size() > 0) {
                throw new IllegalStateException(sessions.size() + " consumers are attached to " + topicName + "/" + name
                        + "; stop or close them before deleting it");
            }
            closed = true;
            sessions.endAllWaits(emptied);
        }
        emptied.forEach(f -> f.complete(EMPTY));
        try {
            ledger.close();
        } catch (IOException e) {
            log.warn("Topic {} subscription {}: closing the cursor failed", topicName, name, e);
        }
    }
}
