package dev.courier.mq.broker.internal;

import dev.courier.mq.broker.BrokerConfig;
import dev.courier.mq.broker.storage.Storage;
import dev.courier.mq.broker.storage.StorageFile;
import dev.courier.rpc.PermissionDeniedException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Who created each topic and subscription, and the {@link BrokerConfig.Limits} on how many may exist.
 * A creation first takes a place ({@link #reserveTopic}, {@link #reserveSubscription}) and gives it back
 * if it fails, so that racing creations cannot pass a limit together.
 *
 * <p>The creator is recorded next to what it created: {@code <topic dir>/owner} and
 * {@code <topic dir>/subscriptions/<name>.owner}, holding the principal in UTF-8 (empty for an anonymous
 * caller). The record is written when the topic or subscription is created and not forced: a power
 * loss may forget it, and the topic then counts only towards the total. Records longer than
 * {@link #MAX_RECORD_BYTES} are not read.
 *
 * <p>Thread-safe: the counts are guarded by this object's monitor, and no I/O runs under it.
 */
final class Owners {

    static final String TOPIC_FILE = "owner";
    static final String SUBSCRIPTION_SUFFIX = ".owner";
    static final int MAX_RECORD_BYTES = 4096;
    private static final String ANONYMOUS = "";

    private final BrokerConfig.Limits limits;
    private int topics;
    private final Map<String, Integer> topicsBy = new HashMap<>();
    private final Map<String, Integer> subscriptionsBy = new HashMap<>();

    Owners(BrokerConfig.Limits limits) {
        this.limits = limits;
    }

    /** Counts a topic found on disk; {@code owner} is null when it has no record (a dead-letter topic). */
    synchronized void loadedTopic(String owner) {
        topics++;
        if (owner != null) {
            topicsBy.merge(owner, 1, Integer::sum);
        }
    }

    synchronized void loadedSubscription(String owner) {
        if (owner != null) {
            subscriptionsBy.merge(owner, 1, Integer::sum);
        }
    }

    /**
     * Takes a place for a topic {@code principal} creates.
     *
     * @throws PermissionDeniedException when the broker holds {@code maxTopics}, or the principal has
     *                                   created {@code maxTopicsPerPrincipal}
     */
    synchronized void reserveTopic(String principal, String topic) {
        if (topics >= limits.maxTopics()) {
            throw new PermissionDeniedException("Topic '" + topic + "' cannot be created: the broker holds " + topics
                    + " topics, its limit (max.topics)");
        }
        String key = key(principal);
        int mine = topicsBy.getOrDefault(key, 0);
        if (mine >= limits.maxTopicsPerPrincipal()) {
            throw new PermissionDeniedException(who(principal) + " may not create topic '" + topic + "': it created "
                    + mine + " topics, the limit per principal (max.topics.per.principal)");
        }
        topics++;
        topicsBy.put(key, mine + 1);
    }

    /** Takes a place for a topic the broker creates itself (a dead-letter topic): counted, never refused. */
    synchronized void reserveOwnTopic() {
        topics++;
    }

    /**
     * Gives back a place taken for a topic whose creation failed; {@code principal} as reserved, or null for the
     * broker's own.
     */
    synchronized void releaseTopic(String principal, boolean own) {
        topics--;
        if (!own) {
            topicsBy.computeIfPresent(key(principal), (k, n) -> n <= 1 ? null : n - 1);
        }
    }

    /**
     * Takes a place for a subscription {@code principal} creates.
     *
     * @throws PermissionDeniedException when the principal has created {@code maxSubscriptionsPerPrincipal}
     */
    synchronized void reserveSubscription(String principal, String topic, String subscription) {
        String key = key(principal);
        int mine = subscriptionsBy.getOrDefault(key, 0);
        if (mine >= limits.maxSubscriptionsPerPrincipal()) {
            throw new PermissionDeniedException(who(principal) + " may not create subscription '" + subscription
                    + "' on topic '" + topic + "': it created " + mine
                    + " subscriptions, the limit per principal (max.subscriptions.per.principal)");
        }
        subscriptionsBy.put(key, mine + 1);
    }

    synchronized void releaseSubscription(String principal) {
        subscriptionsBy.computeIfPresent(key(principal), (k, n) -> n <= 1 ? null : n - 1);
    }

    /** Topics counted now, in all. */
    synchronized int topics() {
        return topics;
    }

    /** Writes the creator's record {@code file} (not forced). */
    static void write(Storage storage, Path file, String principal) throws IOException {
        StorageFile f = storage.open(file, Storage.OpenMode.CREATE_OR_TRUNCATE);
        try {
            ByteBuffer bytes = ByteBuffer.wrap(key(principal).getBytes(StandardCharsets.UTF_8));
            long position = 0;
            while (bytes.hasRemaining()) {
                position += f.write(bytes, position);
            }
        } finally {
            f.close();
        }
    }

    /** The creator in record {@code file} ("" for anonymous), or null when there is no readable record. */
    static String read(Storage storage, Path file) throws IOException {
        if (!storage.exists(file)) {
            return null;
        }
        StorageFile f = storage.open(file, Storage.OpenMode.EXISTING);
        try {
            long size = f.size();
            if (size > MAX_RECORD_BYTES) {
                return null;
            }
            ByteBuffer bytes = ByteBuffer.allocate((int) size);
            while (bytes.hasRemaining()) {
                if (f.read(bytes, bytes.position()) < 0) {
                    return null;
                }
            }
            return new String(bytes.array(), StandardCharsets.UTF_8);
        } finally {
            f.close();
        }
    }

    private static String key(String principal) {
        return principal == null ? ANONYMOUS : principal;
    }

    private static String who(String principal) {
        return principal == null ? "An anonymous caller" : "Principal '" + principal + "'";
    }
}
