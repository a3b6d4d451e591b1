package dev.courier.mq.broker.internal;

import dev.courier.mq.broker.BrokerConfig;
import dev.courier.mq.broker.storage.AppendRecord;
import dev.courier.mq.broker.storage.FsyncPolicy;
import dev.courier.mq.broker.storage.LogConfig;
import dev.courier.mq.broker.storage.Storage;
import dev.courier.mq.broker.storage.TopicLog;
import dev.courier.mq.client.protocol.StartPosition;
import dev.courier.mq.client.protocol.SubscriptionSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A topic: its log and its subscriptions. Subscriptions live as cursor files in
 * {@code <topic dir>/subscriptions/<name>.cursor}. Thread-safe.
 */
final class Topic implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Topic.class);
    private static final String CURSOR_SUFFIX = ".cursor";
    /** The retention limits an operator set, overriding the broker's configuration: {@code bytes millis}. */
    static final String RETENTION_FILE = "retention";
    /** The time to live of messages an operator set, overriding the broker's configuration: milliseconds. */
    static final String MESSAGE_TTL_FILE = "message-ttl";

    private final String name;
    private final TopicLog topicLog;
    private final Path subscriptionsDir;
    private final Path dir;
    private final Owners owners;
    private final BrokerConfig config;
    private final DeadLetters deadLetters;
    private final LongSupplier clock;
    private final Executor delivery;
    private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
    /** Held by a housekeeping run and by {@link #close}; guards {@link #upkeepClosed}. */
    private final Object upkeep = new Object();

    private boolean upkeepClosed;
    /** The time to live an operator set on this topic, in ms; -1 when none (the broker's applies). */
    private volatile long ownTtlMillis = -1;
    /** The schedule of its delayed messages, from the first one on. */
    private final HeldMessages.Slot<DelayQueue> delays = new HeldMessages.Slot<>();
    /** Its open transactions, from the first half message on. */
    private final HeldMessages.Slot<Transactions> transactions = new HeldMessages.Slot<>();
    /**
     * With {@code fsync=always} an append forces the file before it returns, which must not happen on
     * a connection's I/O thread: such appends run here, one at a time, in the order they were handed
     * over, on the broker's shared flusher threads. Null for the other policies, whose appends only write
     * to the page cache.
     */
    private final SerialExecutor forcingAppender;

    private Topic(
            String name,
            TopicLog topicLog,
            Path dir,
            BrokerConfig config,
            DeadLetters deadLetters,
            LongSupplier clock,
            Executor delivery,
            Executor flushers,
            Owners owners) {
        this.delivery = delivery;
        this.owners = owners;
        this.forcingAppender = config.logFor(name).fsync() != FsyncPolicy.ALWAYS ? null : new SerialExecutor(flushers);
        this.name = name;
        this.topicLog = topicLog;
        this.dir = dir;
        this.subscriptionsDir = dir.resolve("subscriptions");
        this.config = config;
        this.deadLetters = deadLetters;
        this.clock = clock;
    }

    static Topic open(
            String name,
            Path dir,
            BrokerConfig config,
            DeadLetters deadLetters,
            Executor delivery,
            Executor flushers,
            LongSupplier clock,
            Owners owners,
            java.util.function.LongConsumer fsyncNanos)
            throws IOException {
        Storage storage = config.storage();
        LogConfig logConfig = config.logFor(name);
        LogConfig.Syncer syncer = logConfig.syncer();
        LogConfig timed = logConfig.toBuilder()
                .clock(clock)
                .flushers(flushers)
                .syncer(file -> {
                    long start = System.nanoTime();
                    syncer.force(file);
                    fsyncNanos.accept(System.nanoTime() - start);
                })
                .build();
        TopicLog tl = TopicLog.open(name, dir, timed, storage);
        Topic t = new Topic(name, tl, dir, config, deadLetters, clock, delivery, flushers, owners);
        try {
            long[] limits = readRetention(storage, dir.resolve(RETENTION_FILE));
            if (limits != null) {
                tl.retention(limits[0], limits[1]);
            }
            t.ownTtlMillis = readMessageTtl(storage, dir.resolve(MESSAGE_TTL_FILE));
            if (DelayQueue.exists(storage, dir)) {
                t.delays.recovered(DelayQueue.recover(storage, dir, tl, clock.getAsLong()));
                log.info(
                        "Topic {}: {} delayed messages scheduled",
                        name,
                        t.delays.table().scheduled());
            }
            if (Transactions.exists(storage, dir)) {
                t.transactions.recovered(Transactions.recover(storage, dir, tl, clock.getAsLong()));
                log.info(
                        "Topic {}: {} transactions open",
                        name,
                        t.transactions.table().openCount());
            }
            if (storage.isDirectory(t.subscriptionsDir)) {
                for (String fn : storage.list(t.subscriptionsDir)) {
                    if (!fn.endsWith(CURSOR_SUFFIX)) {
                        continue;
                    }
                    String sub = fn.substring(0, fn.length() - CURSOR_SUFFIX.length());
                    CursorLog.State[] state = new CursorLog.State[1];
                    SubscriptionSpec spec = SubscriptionSpecs.read(storage, t.subscriptionsDir, sub);
                    CursorLog cursor = CursorLog.open(storage, t.subscriptionsDir.resolve(fn), state);
                    t.subscriptions.put(sub, t.newSubscription(sub, cursor, state[0], spec));
                    owners.loadedSubscription(
                            Owners.read(storage, t.subscriptionsDir.resolve(sub + Owners.SUBSCRIPTION_SUFFIX)));
                }
            }
        } catch (IOException | RuntimeException e) {
            t.close();
            throw e;
        }
        tl.addDurableListener(() -> t.subscriptions.values().forEach(Subscription::dispatchLater));
        return t;
    }

    private Subscription newSubscription(String sub, CursorLog cursor, CursorLog.State state, SubscriptionSpec spec) {
        long start = Math.max(state.floor(), topicLog.startOffset());
        Subscription s = new Subscription(
                name, sub, topicLog, cursor, state, config, deadLetters, clock, delivery, this::messageTtlMillis, spec);
        if (start > state.floor()) {
            s.retained(start);
        }
        return s;
    }

    /** Messages stored and acknowledged to their publisher, and duplicate publishes dropped, since start. */
    final java.util.concurrent.atomic.LongAdder published = new java.util.concurrent.atomic.LongAdder();

    final java.util.concurrent.atomic.LongAdder duplicatesDropped = new java.util.concurrent.atomic.LongAdder();

    String name() {
        return name;
    }

    TopicLog log() {
        return topicLog;
    }

    /**
     * Sets the topic's retention limits (-1: no limit), overriding the broker's configuration for this
     * topic from the next housekeeping pass on, and across restarts: the file is written, forced and
     * renamed into place before the limits take effect.
     *
     * @throws UncheckedIOException if the limits could not be stored (nothing changed)
     * @throws IllegalStateException if the topic is closed (being deleted): no file is written
     */
    void retention(long bytes, long millis) {
        if (bytes < -1 || millis < -1) {
            throw new IllegalArgumentException("Retention limits are >= 0, or -1 for no limit");
        }
        synchronized (upkeep) {
            if (upkeepClosed) {
                throw new IllegalStateException("Topic " + name + " is closed");
            }
            storeRetention(bytes, millis);
        }
    }

    private void storeRetention(long bytes, long millis) {
        writeSetting(RETENTION_FILE, bytes + " " + millis + "\n", "retention");
        topicLog.retention(bytes, millis);
        log.info("Topic {}: retention set to {} bytes, {} ms (-1: no limit)", name, bytes, millis);
    }

    /** Writes, forces and renames into place the file of one of the topic's settings. */
    private void writeSetting(String fileName, String text, String what) {
        Storage storage = config.storage();
        Path file = dir.resolve(fileName);
        Path tmp = dir.resolve(fileName + ".tmp");
        try {
            try (dev.courier.mq.broker.storage.StorageFile f = storage.open(tmp, Storage.OpenMode.CREATE_OR_TRUNCATE)) {
                f.writeFully(java.nio.ByteBuffer.wrap(text.getBytes(java.nio.charset.StandardCharsets.US_ASCII)), 0);
                f.force(true);
            }
            storage.move(tmp, file);
            storage.syncDirectory(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot store the " + what + " of topic " + name, e);
        }
    }

    /**
     * The time to live of this topic's messages in force, in milliseconds (0: none). The broker's does not apply
     * to dead-letter topics (named {@code *.dlq}): a dead letter stays until an operator removes it.
     */
    long messageTtlMillis() {
        long own = ownTtlMillis;
        if (own >= 0) {
            return own;
        }
        return Names.isDeadLetterTopic(name) ? 0 : config.messageTtl().toMillis();
    }

    /**
     * Sets the time to live of the topic's messages (0: none; -1: the broker's), counted from when each was
     * stored, for messages stored already as well, and across restarts.
     *
     * @throws UncheckedIOException if it could not be stored (nothing changed)
     * @throws IllegalStateException if the topic is closed
     */
    void messageTtl(long millis) {
        if (millis < -1) {
            throw new IllegalArgumentException("A time to live is >= 0, or -1 for the broker's");
        }
        synchronized (upkeep) {
            if (upkeepClosed) {
                throw new IllegalStateException("Topic " + name + " is closed");
            }
            writeSetting(MESSAGE_TTL_FILE, millis + "\n", "time to live");
            ownTtlMillis = millis;
        }
        log.info("Topic {}: time to live of messages set to {} ms (0: none, -1: the broker's)", name, millis);
    }

    /** The time to live stored in {@code file}, or -1 when there is none or it cannot be read (then logged). */
    private static long readMessageTtl(Storage storage, Path file) throws IOException {
        String text = readSetting(storage, file, 32);
        if (text == null) {
            return -1;
        }
        try {
            long millis = Long.parseLong(text);
            if (millis >= -1) {
                return millis;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        log.warn("{} does not hold a time to live; the configured one applies", file);
        return -1;
    }

    /** The limits stored in {@code file}, or null when there is none or it cannot be read (then logged). */
    private static long[] readRetention(Storage storage, Path file) throws IOException {
        String text = readSetting(storage, file, 64);
        if (text == null) {
            return null;
        }
        String[] parts = text.split(" ");
        try {
            long bytes = Long.parseLong(parts[0]);
            long millis = parts.length == 2 ? Long.parseLong(parts[1]) : Long.MIN_VALUE;
            if (bytes >= -1 && millis >= -1) {
                return new long[] {bytes, millis};
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        log.warn("{} does not hold two retention limits; the configured retention applies", file);
        return null;
    }

    /**
     * The trimmed text of a setting's file (see {@link #writeSetting}), or null when there is none or it holds more
     * than {@code maxBytes} (then logged).
     */
    private static String readSetting(Storage storage, Path file, int maxBytes) throws IOException {
        if (!storage.exists(file)) {
            return null;
        }
        try (dev.courier.mq.broker.storage.StorageFile f = storage.open(file, Storage.OpenMode.EXISTING)) {
            long size = f.size();
            if (size > maxBytes) {
                log.warn("{} holds {} bytes, more than its setting takes; the configured value applies", file, size);
                return null;
            }
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate((int) size);
            f.readFully(b, 0);
            return new String(b.array(), 0, b.position(), java.nio.charset.StandardCharsets.US_ASCII).trim();
        }
    }

    Subscription find(String subscription) {
        return subscriptions.get(subscription);
    }

    /**
     * The subscription, created at {@code from} for {@code principal} (null: anonymous) if missing, within
     * the principal's subscription limit unless {@code own} (created by the operator).
     *
     * @throws dev.courier.rpc.PermissionDeniedException when creating it would pass the limit
     */
    Subscription subscription(String subscription, StartPosition from, String principal, boolean own) {
        return subscription(subscription, from, principal, own, null);
    }

    /**
     * The subscription, as {@link #subscription(String, StartPosition, String, boolean)}, created with
     * {@code spec} (null: a plain one) if missing.
     *
     * @throws IllegalStateException if it exists with another spec than a non-null {@code spec}
     */
    Subscription subscription(
            String subscription, StartPosition from, String principal, boolean own, SubscriptionSpec spec) {
        Subscription s = subscriptions.get(subscription);
        if (s != null) {
            return sameSpec(s, spec);
        }
        Names.check("subscription", subscription);
        if (spec != null) {
            spec.validate();
        }
        synchronized (this) {
            s = subscriptions.get(subscription);
            if (s != null) {
                return sameSpec(s, spec);
            }
            if (!own) {
                owners.reserveSubscription(principal, name, subscription);
            }
            long start = from == StartPosition.LATEST ? topicLog.durableOffset() : topicLog.startOffset();
            SubscriptionSpec stored = spec == null ? SubscriptionSpec.PLAIN : spec;
            try {
                // the spec first: a cursor is what makes the subscription exist on the next start
                SubscriptionSpecs.write(config.storage(), subscriptionsDir, subscription, stored);
                CursorLog cursor = CursorLog.create(
                        config.storage(), subscriptionsDir.resolve(subscription + CURSOR_SUFFIX), start);
                s = newSubscription(subscription, cursor, CursorLog.State.at(start), stored);
            } catch (IOException | RuntimeException e) {
                if (!own) {
                    owners.releaseSubscription(principal);
                }
                if (e instanceof IOException io) {
                    throw new UncheckedIOException("Cannot create subscription " + name + "/" + subscription, io);
                }
                throw (RuntimeException) e;
            }
            if (!own) {
                try {
                    Owners.write(
                            config.storage(),
                            subscriptionsDir.resolve(subscription + Owners.SUBSCRIPTION_SUFFIX),
                            principal);
                } catch (IOException e) {
                    log.warn(
                            "Topic {}: the creator of subscription {} could not be recorded; after a restart it "
                                    + "counts for no one",
                            name,
                            subscription,
                            e);
                }
            }
            subscriptions.put(subscription, s);
            log.info(
                    "Topic {}: subscription {} created at offset {}{}",
                    name,
                    subscription,
                    start,
                    stored.equals(SubscriptionSpec.PLAIN) ? "" : " with " + stored);
            return s;
        }
    }

    private Subscription sameSpec(Subscription s, SubscriptionSpec spec) {
        if (spec != null && !spec.equals(s.spec())) {
            throw new IllegalStateException("Subscription " + name + "/" + s.name() + " exists as " + s.spec()
                    + ", not " + spec + "; delete it to change that");
        }
        return s;
    }

    /**
     * Deletes a subscription as the operator: closes it (refused while consumers are attached), gives back
     * its creator's place under the limits and deletes its cursor and owner files, the cursor first: the
     * cursor is what makes a subscription exist on the next start. Runs under the upkeep monitor, so no
     * housekeeping pass forces or compacts the cursor while it goes; and under this object's, so the name is
     * not created anew meanwhile.
     *
     * @return false if there was no such subscription
     * @throws IllegalStateException while consumers are attached, or once the topic is closed
     * @throws UncheckedIOException if a file could not be deleted (the subscription is closed and gone from the
     *                              broker; a cursor file left behind is loaded on the next start)
     */
    synchronized boolean deleteSubscription(String subscription) {
        synchronized (upkeep) {
            if (upkeepClosed) {
                throw new IllegalStateException("Topic " + name + " is closed");
            }
            Subscription s = subscriptions.get(subscription);
            if (s == null) {
                return false;
            }
            s.closeToDelete();
            subscriptions.remove(subscription);
            Storage storage = config.storage();
            Path cursor = subscriptionsDir.resolve(subscription + CURSOR_SUFFIX);
            Path ownerFile = subscriptionsDir.resolve(subscription + Owners.SUBSCRIPTION_SUFFIX);
            try {
                String owner = Owners.read(storage, ownerFile);
                storage.deleteIfExists(cursor);
                storage.deleteIfExists(cursor.resolveSibling(cursor.getFileName() + ".tmp"));
                storage.deleteIfExists(ownerFile);
                SubscriptionSpecs.delete(storage, subscriptionsDir, subscription);
                storage.syncDirectory(subscriptionsDir);
                if (owner != null) {
                    owners.releaseSubscription(owner);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "Subscription " + name + "/" + subscription + " was closed but its files could not be deleted",
                        e);
            }
            log.warn("Topic {}: subscription {} deleted by an operator", name, subscription);
            return true;
        }
    }

    /**
     * The first offset whose record was stored at or after {@code timestamp} (epoch millis), found by a
     * binary search over the log (its records are stamped in offset order by the broker's clock); the
     * end of the log if none is. Reads the log: never on an I/O thread.
     */
    long offsetAt(long timestamp) {
        long lo = topicLog.startOffset();
        long hi = topicLog.durableOffset();
        while (lo < hi) {
            long mid = lo + (hi - lo) / 2;
            List<dev.courier.mq.broker.storage.StoredRecord> rec = topicLog.read(mid, 1, 1);
            if (rec.isEmpty()) {
                return hi;
            }
            dev.courier.mq.broker.storage.StoredRecord first = rec.get(0);
            if (first.timestamp() < timestamp) {
                lo = first.offset() + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** The topic's directory. */
    Path dir() {
        return dir;
    }

    Collection<Subscription> subscriptions() {
        return subscriptions.values();
    }

    void tick() {
        subscriptions.values().forEach(Subscription::tick);
    }

    /**
     * Runs retention, writes the log's recovery checkpoint when a roll made a new one, and forces the
     * cursors; does nothing once the topic is closed. Housekeeping writes files in the topic's directory,
     * so it and {@link #close} exclude each other: a topic being deleted gets no file after its close.
     */
    void housekeeping() {
        synchronized (upkeep) {
            if (upkeepClosed) {
                return;
            }
            long min = Long.MAX_VALUE;
            for (Subscription s : subscriptions.values()) {
                min = Math.min(min, s.ackFloor());
            }
            long end = topicLog.durableOffset();
            DelayQueue q = delays.table();
            Transactions txns = transactions.table();
            long unmoved = q == null ? end : q.lowestHeld(end);
            long uncommitted = txns == null ? end : txns.lowestHeld(end);
            topicLog.applyRetention(
                    subscriptions.isEmpty() ? Long.MIN_VALUE : Math.min(min, Math.min(unmoved, uncommitted)));
            try {
                delays.checkpoint(unmoved);
                transactions.checkpoint(uncommitted);
            } catch (IOException e) {
                log.warn("Topic {}: a checkpoint of held messages could not be written", name, e);
            }
            topicLog.checkpoint();
            long start = topicLog.startOffset();
            for (Subscription s : subscriptions.values()) {
                s.retained(start);
                s.sync();
            }
        }
    }

    /** Makes sure the topic has a schedule for delayed messages; see {@link HeldMessages.Slot#ensure}. */
    CompletableFuture<Void> ensureDelays() {
        return delays.ensure(
                () -> DelayQueue.inMemory(config.storage(), dir, clock.getAsLong()), topicLog::endOffset, delivery);
    }

    /** Makes sure the topic has a table of transactions; see {@link HeldMessages.Slot#ensure}. */
    CompletableFuture<Void> ensureTransactions() {
        return transactions.ensure(() -> Transactions.inMemory(config.storage(), dir), topicLog::endOffset, delivery);
    }

    /** Half messages of {@code transaction} are durable at {@code offsets}. */
    void halfMessages(String transaction, String group, long[] offsets) {
        transactions.table().added(transaction, group, offsets, clock.getAsLong());
    }

    /**
     * Ends a transaction: for a commit appends a copy of each half message (delivered like any message), for a
     * rollback a marker; completes, once that is durable, with how many half messages it held (0 for a
     * transaction not open). Reads the log: call it off the I/O threads.
     */
    CompletableFuture<Integer> endTransaction(String transaction, boolean commit) {
        Transactions txns = transactions.table();
        Transactions.Open open = txns == null ? null : txns.take(transaction);
        if (open == null) {
            return CompletableFuture.completedFuture(0);
        }
        List<AppendRecord> records = new java.util.ArrayList<>();
        long[] offsets = open.offsets();
        if (commit) {
            for (long o : offsets) {
                dev.courier.mq.broker.storage.StoredRecord r = topicLog.readAt(o);
                if (r == null) {
                    log.warn(
                            "Topic {}: half message {} of transaction {} was removed before the commit",
                            name,
                            o,
                            transaction);
                    continue;
                }
                Map<String, String> headers = new java.util.LinkedHashMap<>(r.headers());
                headers.remove(Transactions.TXN);
                headers.remove(Transactions.GROUP);
                headers.put(Transactions.FROM, Long.toString(o));
                records.add(new AppendRecord(0, 0, headers, r.payload(), r.meta()));
            }
        }
        if (!commit || records.isEmpty()) {
            records.add(new AppendRecord(0, 0, Map.of(Transactions.ABORTED, transaction), new byte[0]));
        }
        return appendOrFail(records).thenCompose(TopicLog.Appended::durable).handle((v, e) -> {
            if (e != null) {
                txns.failedToEnd(transaction);
                throw e instanceof java.util.concurrent.CompletionException ce
                        ? ce
                        : new java.util.concurrent.CompletionException(e);
            }
            txns.ended(transaction);
            log.info(
                    "Topic {}: transaction {} {} ({} messages)",
                    name,
                    transaction,
                    commit ? "committed" : "rolled back",
                    offsets.length);
            return offsets.length;
        });
    }

    /**
     * Checks the open transactions due for it (housekeeping): each goes to a waiting checker of its group, and
     * one checked {@code maxChecks} times already is rolled back as unresolved.
     */
    void checkTransactions(TransactionCheckers checkers) {
        Transactions txns = transactions.table();
        if (txns == null) {
            return;
        }
        long now = clock.getAsLong();
        for (Transactions.Due d : txns.due(now, config.transactionCheck().toMillis())) {
            if (d.check() > config.transactionChecks()) {
                log.error(
                        "Topic {}: transaction {} of group {} rolled back unresolved after {} checks ({} messages)",
                        name,
                        d.transaction(),
                        d.group(),
                        d.check() - 1,
                        d.messages());
                unresolvedTransactions.increment();
                endTransaction(d.transaction(), false);
                continue;
            }
            dev.courier.mq.client.protocol.TransactionCheck check =
                    new dev.courier.mq.client.protocol.TransactionCheck(name, d.transaction(), d.messages(), d.check());
            if (!checkers.offer(d.group(), check)) {
                log.warn(
                        "Topic {}: transaction {} is open and no checker of group {} is connected (check {} of {})",
                        name,
                        d.transaction(),
                        d.group(),
                        d.check(),
                        config.transactionChecks());
            }
        }
    }

    int openTransactions() {
        Transactions txns = transactions.table();
        return txns == null ? 0 : txns.openCount();
    }

    /** Transactions rolled back unresolved since the broker started. */
    final java.util.concurrent.atomic.LongAdder unresolvedTransactions = new java.util.concurrent.atomic.LongAdder();

    /** The delayed originals at {@code offsets}, durable, are due at {@code dueAt} (parallel). */
    void scheduleDelayed(long[] offsets, long[] dueAt) {
        DelayQueue q = delays.table();
        try {
            for (int i = 0; i < offsets.length; i++) {
                q.schedule(offsets[i], dueAt[i]);
            }
        } catch (IOException e) {
            // the originals are in the log above the checkpoint: the next start schedules them
            log.error("Topic {}: delayed messages could not be scheduled until the broker restarts", name, e);
        }
    }

    /** Messages scheduled for later delivery and not yet delivered to the topic. */
    long delayedCount() {
        DelayQueue q = delays.table();
        return q == null ? 0 : q.scheduled();
    }

    private final java.util.concurrent.atomic.AtomicBoolean moving = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * Moves the delayed messages due now into the log, as copies without a due time (see {@link DelayQueue}):
     * called often by the broker's timer, it hands the reads and the append to the delivery pool, one batch at a
     * time per topic.
     */
    void releaseDue() {
        DelayQueue q = delays.table();
        if (q == null) {
            return;
        }
        long now = clock.getAsLong();
        if (!q.hasWork(now) || !moving.compareAndSet(false, true)) {
            return;
        }
        try {
            delivery.execute(() -> move(q, now));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            moving.set(false); // shutting down
        }
    }

    private void logScheduleFailure(IOException e) {
        log.error("Topic {}: a bucket of delayed messages could not be read; they wait for a restart", name, e);
    }

    private void move(DelayQueue q, long now) {
        long[] taken;
        try {
            taken = q.takeDue(now, 512);
        } catch (IOException e) {
            logScheduleFailure(e);
            moving.set(false);
            return;
        }
        if (taken.length == 0) {
            moving.set(false);
            return;
        }
        List<AppendRecord> copies = new java.util.ArrayList<>(taken.length);
        List<Long> lost = new java.util.ArrayList<>();
        long[] kept = new long[taken.length];
        int n = 0;
        for (long o : taken) {
            dev.courier.mq.broker.storage.StoredRecord r = topicLog.readAt(o);
            if (r == null) {
                lost.add(o);
                continue;
            }
            Map<String, String> headers = new java.util.LinkedHashMap<>(r.headers());
            headers.put(DelayQueue.FROM, Long.toString(o));
            dev.courier.mq.broker.storage.RecordMeta m = r.meta();
            copies.add(new AppendRecord(
                    0,
                    0,
                    headers,
                    r.payload(),
                    new dev.courier.mq.broker.storage.RecordMeta(m.key(), m.eventTime(), 0, m.expiresAt())));
            kept[n++] = o;
        }
        for (long o : lost) {
            q.lost(o);
            log.warn("Topic {}: delayed message {} was removed by retention before it was due", name, o);
        }
        long[] moved = java.util.Arrays.copyOf(kept, n);
        if (copies.isEmpty()) {
            moving.set(false);
            return;
        }
        CompletableFuture<TopicLog.Appended> appended = appendOrFail(copies);
        // appends are taken in the order of the calls: the next batch may go while this one is being forced
        moving.set(false);
        appended.thenCompose(TopicLog.Appended::durable).whenComplete((v, e) -> {
            if (e == null) {
                q.moved(moved);
            } else {
                log.warn("Topic {}: {} due delayed messages could not be stored; retrying", name, moved.length, e);
                q.failed(moved, clock.getAsLong());
            }
        });
    }

    /**
     * Appends {@code records} in the order of the calls: at once on the calling thread, or for
     * {@code fsync=always} on its serial appender. The future fails as the append would throw.
     */
    CompletableFuture<TopicLog.Appended> append(List<AppendRecord> records) {
        if (forcingAppender == null) {
            return CompletableFuture.completedFuture(topicLog.append(records));
        }
        return CompletableFuture.supplyAsync(() -> topicLog.append(records), forcingAppender);
    }

    /** {@link #append}, a failed or closed log failing the future instead of throwing. */
    private CompletableFuture<TopicLog.Appended> appendOrFail(List<AppendRecord> records) {
        try {
            return append(records);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public void close() {
        synchronized (upkeep) { // waits for a housekeeping run in progress; none starts after this
            upkeepClosed = true;
        }
        if (forcingAppender != null) {
            forcingAppender.shutdown();
            try {
                if (!forcingAppender.awaitIdle(5, TimeUnit.SECONDS)) {
                    log.warn("Topic {}: appends still running after 5 s; closing the log under them", name);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        subscriptions.values().forEach(Subscription::close);
        topicLog.close();
    }
}
