package dev.courier.mq.broker.internal;

import dev.courier.mq.broker.BrokerConfig;
import dev.courier.mq.broker.storage.AppendRecord;
import dev.courier.mq.broker.storage.RecordMeta;
import dev.courier.mq.broker.storage.Storage;
import dev.courier.mq.broker.storage.StorageException;
import dev.courier.mq.broker.storage.StoredRecord;
import dev.courier.mq.broker.storage.TopicLog;
import dev.courier.mq.client.protocol.StartPosition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Every topic of a broker, in {@code <data dir>/topics/<name>/}, with the threads that drive them: a
 * timer (deadlines, sessions, waits; retention and cursor syncs) and a small delivery pool, shared by
 * every topic, that runs fetches and hands newly durable messages to waiting consumers: the log reads
 * of deliveries never run on an I/O thread.
 *
 * <p>Thread-safe. Owns its topics and threads; {@link #close()} closes them and is idempotent.
 */
public final class Topics implements AutoCloseable, DeadLetters {

    private static final Logger log = LoggerFactory.getLogger(Topics.class);

    private final BrokerConfig config;
    /** Producer groups' checkers waiting for transaction checks. */
    private final TransactionCheckers checkers = new TransactionCheckers();

    private final Path topicsDir;
    private final Map<String, Topic> topics = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;
    /** Threads that run fetches and deliveries, for all topics together. */
    static final int DELIVERY_THREADS = 2;
    /**
     * Threads forcing the topics' logs (group commit), shared by all topics: each flush holds one for an fsync,
     * so this many topics force at once and the others queue.
     */
    static final int FLUSHER_THREADS = 16;

    /** How often due delayed messages are looked for. */
    static final long DELAY_TICK_MILLIS = 5;

    private final ExecutorService dispatcher;
    private final ExecutorService flushers;
    private final List<String> recoveryReport = new ArrayList<>();
    private final Owners owners;
    private volatile boolean closed;
    private volatile java.util.function.LongConsumer fsyncObserver = nanos -> {};

    public Topics(BrokerConfig config) throws IOException {
        this.config = config;
        this.owners = new Owners(config.limits());
        this.topicsDir = config.dataDir().resolve("topics");
        Storage storage = config.storage();
        storage.createDirectoriesDurably(topicsDir);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "courier-broker-timer"));
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        this.dispatcher = Executors.newFixedThreadPool(
                DELIVERY_THREADS, r -> daemon(r, "courier-broker-delivery-" + n.incrementAndGet()));
        java.util.concurrent.atomic.AtomicInteger f = new java.util.concurrent.atomic.AtomicInteger();
        this.flushers =
                Executors.newFixedThreadPool(FLUSHER_THREADS, r -> daemon(r, "courier-flusher-" + f.incrementAndGet()));
        try {
            for (String name : storage.list(topicsDir)) {
                Path d = topicsDir.resolve(name);
                if (!storage.isDirectory(d)) {
                    continue;
                }
                Topic t =
                        Topic.open(name, d, config, this, dispatcher, flushers, config.clock(), owners, this::fsynced);
                recoveryReport.addAll(t.log().recoveryReport());
                topics.put(name, t);
                owners.loadedTopic(Owners.read(storage, d.resolve(Owners.TOPIC_FILE)));
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        long tick = Math.max(1, config.tick().toMillis());
        timer.scheduleWithFixedDelay(
                () -> {
                    eachTopic("tick", Topic::tick);
                    eachTopic("transaction checks", t -> t.checkTransactions(checkers));
                    checkers.expire(config.clock().getAsLong());
                },
                tick,
                tick,
                TimeUnit.MILLISECONDS);
        // delayed messages are delivered within this of their time, and the append that stores them
        timer.scheduleWithFixedDelay(
                () -> eachTopic("delayed delivery", Topic::releaseDue),
                DELAY_TICK_MILLIS,
                DELAY_TICK_MILLIS,
                TimeUnit.MILLISECONDS);
        long hk = Math.max(1, config.housekeeping().toMillis());
        timer.scheduleWithFixedDelay(
                () -> eachTopic("housekeeping", Topic::housekeeping), hk, hk, TimeUnit.MILLISECONDS);
    }

    /** A daemon thread named {@code name} running {@code r}: the broker's threads never keep the JVM up. */
    static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Runs {@code job} for every topic; one topic that fails does not keep the others from theirs. */
    /** {open, rolled back unresolved} transactions of {@code topic}; zeros if there is no such topic. */
    public long[] transactions(String topic) {
        Topic t = topics.get(topic);
        return t == null ? new long[2] : new long[] {t.openTransactions(), t.unresolvedTransactions.sum()};
    }

    /** Answers the transaction checkers' polls at once (the broker is closing). */
    public void endWaits() {
        checkers.closeAll();
    }

    /** A checker of producer {@code group} waits for a check of a transaction on a topic {@code mayUse} takes. */
    public CompletableFuture<List<dev.courier.mq.client.protocol.TransactionCheck>> pollTransactionChecks(
            String group, long waitMillis, java.util.function.Predicate<String> mayUse) {
        return checkers.poll(group, config.clock().getAsLong() + Math.max(0, waitMillis), mayUse);
    }

    private void eachTopic(String what, java.util.function.Consumer<Topic> job) {
        for (Topic t : topics.values()) {
            try {
                job.accept(t);
            } catch (RuntimeException e) {
                log.error("Topic {}: {} failed", t.name(), what, e);
            }
        }
    }

    /**
     * The topic, created for {@code principal} (null: anonymous) if missing, within the topic limits.
     *
     * @throws dev.courier.rpc.PermissionDeniedException when creating it would pass a limit
     */
    Topic topic(String name, String principal) {
        Topic t = topics.get(name);
        return t != null ? t : create(name, principal, false);
    }

    /** A topic the broker creates itself (a dead-letter topic): counted, never refused for a limit. */
    private Topic ownTopic(String name) {
        Topic t = topics.get(name);
        return t != null ? t : create(name, null, true);
    }

    private Topic create(String name, String principal, boolean own) {
        Names.check("topic", name);
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("The broker is closed");
            }
            Topic t = topics.get(name);
            if (t != null) {
                return t;
            }
            if (own) {
                owners.reserveOwnTopic();
            } else {
                owners.reserveTopic(principal, name);
            }
            Path dir = topicsDir.resolve(name);
            try {
                t = Topic.open(name, dir, config, this, dispatcher, flushers, config.clock(), owners, this::fsynced);
            } catch (IOException | RuntimeException e) {
                owners.releaseTopic(principal, own);
                if (e instanceof IOException io) {
                    throw new UncheckedIOException("Cannot open topic " + name, io);
                }
                throw (RuntimeException) e;
            }
            if (!own) {
                try {
                    Owners.write(config.storage(), dir.resolve(Owners.TOPIC_FILE), principal);
                } catch (IOException e) {
                    log.warn(
                            "Topic {}: its creator could not be recorded; after a restart it counts for no one",
                            name,
                            e);
                }
            }
            topics.put(name, t);
            log.info("Topic {} created{}", name, own ? "" : principal == null ? " (anonymous)" : " by " + principal);
            return t;
        }
    }

    private void fsynced(long nanos) {
        fsyncObserver.accept(nanos);
    }

    /** Told the nanoseconds of every force of a topic's log (metrics). */
    public void onFsync(java.util.function.LongConsumer observer) {
        this.fsyncObserver = java.util.Objects.requireNonNull(observer);
    }

    /** The topics, for metrics. */
    java.util.Collection<Topic> all() {
        return topics.values();
    }

    Topic find(String name) {
        return topics.get(name);
    }

    /** The pool that runs fetches and deliveries (reads of the logs). */
    java.util.concurrent.Executor delivery() {
        return dispatcher;
    }

    BrokerConfig config() {
        return config;
    }

    /** Names of the topics. */
    public Collection<String> names() {
        return List.copyOf(topics.keySet());
    }

    /** What recovery found when the broker opened its topics. */
    public List<String> recoveryReport() {
        return List.copyOf(recoveryReport);
    }

    @Override
    public CompletableFuture<Void> send(
            String topic, String subscription, StoredRecord record, int deliveries, String reason) {
        try {
            Topic dlq = ownTopic(Names.deadLetterTopic(topic, subscription));
            Map<String, String> headers = new LinkedHashMap<>(record.headers());
            headers.put(DELIVERIES, Integer.toString(deliveries));
            headers.put(FAILURE, reason);
            headers.put(SOURCE_TOPIC, topic);
            headers.put(SOURCE_SUBSCRIPTION, subscription);
            headers.put(SOURCE_OFFSET, Long.toString(record.offset()));
            return dlq.append(List.of(new AppendRecord(0, 0, headers, record.payload(), copiedMeta(record))))
                    .thenCompose(TopicLog.Appended::durable);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * What a copy (a dead letter, a replay) keeps of a record's meta: its key and the producer's time, not its
     * expiry (a dead letter stays until an operator removes it, and a replay is delivered anew).
     */
    private static RecordMeta copiedMeta(StoredRecord r) {
        return new RecordMeta(r.key(), r.meta().eventTime(), 0, 0);
    }

    /** The state of a subscription, or null if there is none. */
    public dev.courier.mq.client.protocol.SubscriptionStats stats(String topic, String subscription) {
        Topic t = topics.get(topic);
        Subscription s = t == null ? null : t.find(subscription);
        return s == null ? null : s.stats();
    }

    /** Creates a topic as the operator (admin API): no limit applies; true if it did not exist. */
    public boolean createTopic(String name) {
        boolean existed = topics.containsKey(name);
        ownTopic(name);
        return !existed;
    }

    /**
     * Deletes a topic as the operator: closes it (appends and fetches in flight on it fail), gives back
     * its places under the limits, and deletes its directory; its dead-letter topics stay. A client
     * that publishes or subscribes to the name afterwards creates it anew. Runs under this object's
     * monitor, so the name cannot be created again while its files go.
     *
     * @return false if there was no such topic
     * @throws UncheckedIOException if a file could not be deleted (the topic is closed and gone from
     *                              the broker; what is left of its directory is loaded on the next start)
     */
    public synchronized boolean deleteTopic(String name) {
        if (closed) {
            throw new IllegalStateException("The broker is closed");
        }
        Topic t = topics.remove(name);
        if (t == null) {
            return false;
        }
        t.close();
        Storage storage = config.storage();
        Path dir = t.dir();
        try {
            String owner = Owners.read(storage, dir.resolve(Owners.TOPIC_FILE));
            owners.releaseTopic(owner, owner == null);
            Path subs = dir.resolve("subscriptions");
            if (storage.isDirectory(subs)) {
                for (String f : storage.list(subs)) {
                    if (f.endsWith(Owners.SUBSCRIPTION_SUFFIX)) {
                        String subOwner = Owners.read(storage, subs.resolve(f));
                        if (subOwner != null) {
                            owners.releaseSubscription(subOwner);
                        }
                    }
                }
            }
            deleteTree(storage, dir);
            storage.syncDirectory(topicsDir);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Topic " + name + " was closed but its directory " + dir + " could not be deleted", e);
        }
        log.warn("Topic {} deleted by an operator", name);
        return true;
    }

    private static void deleteTree(Storage storage, Path path) throws IOException {
        if (storage.isDirectory(path)) {
            for (String child : storage.list(path)) {
                deleteTree(storage, path.resolve(child));
            }
        }
        storage.deleteIfExists(path);
    }

    /**
     * Copies dead letters of {@code topic}'s {@code subscription} back to {@code topic} (without the
     * dead-letter headers, with {@link #REPLAYED_FROM}), and once the copies are durable marks them
     * replayed: they leave the dead-letter list, and retention may delete them. {@code offsets} null:
     * the first {@code max} not replayed yet.
     *
     * @return the dead-letter offsets replayed
     */
    public List<Long> replayDeadLetters(String topic, String subscription, long[] offsets, int max) {
        Topic source = topics.get(topic);
        Topic dlq = topics.get(Names.deadLetterTopic(topic, subscription));
        if (source == null || dlq == null) {
            return List.of();
        }
        Subscription replayed = dlq.subscription(Names.REPLAYED, StartPosition.EARLIEST, null, true);
        List<StoredRecord> letters = new ArrayList<>();
        if (offsets != null) {
            for (long o : offsets) {
                StoredRecord r = dlq.log().readAt(o);
                if (r != null && !replayed.isSettled(o)) {
                    letters.add(r);
                }
            }
        } else {
            letters.addAll(deadLetters(dlq, replayed, 0, max));
        }
        if (letters.isEmpty()) {
            return List.of();
        }
        List<AppendRecord> copies = new ArrayList<>(letters.size());
        for (StoredRecord r : letters) {
            Map<String, String> headers = new LinkedHashMap<>(r.headers());
            headers.keySet().removeAll(List.of(DELIVERIES, FAILURE, SOURCE_TOPIC, SOURCE_SUBSCRIPTION, SOURCE_OFFSET));
            headers.put(REPLAYED_FROM, dlq.name() + "@" + r.offset());
            copies.add(new AppendRecord(0, 0, headers, r.payload(), copiedMeta(r)));
        }
        awaitDurable(source, copies);
        source.published.add(copies.size());
        long[] done = letters.stream().mapToLong(StoredRecord::offset).toArray();
        replayed.acknowledge(done);
        log.info("Topic {} subscription {}: {} dead letters replayed by an operator", topic, subscription, done.length);
        return java.util.Arrays.stream(done).boxed().toList();
    }

    /** How long a replay waits for its copies to be durable before it gives up. */
    static final long REPLAY_WAIT_MILLIS = 30_000;

    /**
     * Appends {@code copies} to {@code topic} and waits, at most {@link #REPLAY_WAIT_MILLIS} in all,
     * until they are durable. Fails with a {@link StorageException} otherwise: the caller then marks
     * nothing replayed, so a retry may store a copy twice but no letter is lost.
     */
    private static void awaitDurable(Topic topic, List<AppendRecord> copies) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REPLAY_WAIT_MILLIS);
        try {
            TopicLog.Appended appended = topic.append(copies).get(REPLAY_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            appended.durable().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new StorageException(
                    "Topic " + topic.name() + " did not store the replayed copies ("
                            + e.getCause().getMessage() + "); no dead letter is marked replayed",
                    e.getCause());
        } catch (TimeoutException e) {
            throw new StorageException(
                    "Topic " + topic.name() + " did not make the replayed copies durable within " + REPLAY_WAIT_MILLIS
                            + " ms; no dead letter is marked replayed, and a retry may store some twice",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("Interrupted while replaying dead letters to topic " + topic.name(), e);
        }
    }

    /** A header on a replayed dead letter: {@code <dead-letter topic>@<offset>}. */
    public static final String REPLAYED_FROM = "courier.replayed.from";

    /**
     * Up to {@code max} dead letters of {@code dlq} at or after {@code from} not replayed yet, in order
     * (reads at most 64 MiB of the log).
     */
    static List<StoredRecord> deadLetters(Topic dlq, Subscription replayed, long from, int max) {
        List<StoredRecord> out = new ArrayList<>();
        long next = Math.max(from, dlq.log().startOffset());
        long end = dlq.log().durableOffset();
        long budget = 64L << 20;
        while (out.size() < max && next < end && budget > 0) {
            List<StoredRecord> batch = dlq.log().read(next, 256, 8 << 20);
            if (batch.isEmpty()) {
                break;
            }
            for (StoredRecord r : batch) {
                budget -= r.payload().length;
                if ((replayed == null || !replayed.isSettled(r.offset())) && out.size() < max) {
                    out.add(r);
                }
                next = r.offset() + 1;
            }
        }
        return out;
    }

    /**
     * Marks every dead letter of {@code topic}'s {@code subscription} replayed (dropped); answers how many were not.
     */
    public long purgeDeadLetters(String topic, String subscription) {
        Topic dlq = topics.get(Names.deadLetterTopic(topic, subscription));
        if (dlq == null) {
            return 0;
        }
        return dlq.subscription(Names.REPLAYED, StartPosition.EARLIEST, null, true)
                .purge();
    }

    /** Creates a subscription ahead of its first consumer, as the operator: no limit applies. */
    public void createSubscription(String topic, String subscription, StartPosition from) {
        ownTopic(topic).subscription(subscription, from, null, true);
    }

    /** Stops the threads, completes waiting fetches empty, forces and closes every topic. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        // Never shutdownNow(): an interrupt inside a FileChannel call closes the channel under the cursor or
        // log it is forcing. Periodic jobs stop; one that runs finishes first.
        timer.shutdown();
        checkers.closeAll();
        dispatcher.shutdown();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
            dispatcher.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Topic t : topics.values()) {
            try {
                t.close();
            } catch (RuntimeException e) {
                log.warn("Closing topic {} failed", t.name(), e);
            }
        }
        flushers.shutdown(); // after the topics: their last flushes run on it
        try {
            flushers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
