package dev.courier.mq.broker.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * When the records of a {@link TopicLog} become durable, one implementation per {@link FsyncPolicy}:
 * {@link Always} forces on the appending thread before the append returns, {@link Never} never forces
 * records (it takes them as durable once written; new directory entries are synced on close), and
 * {@link GroupFlusher} forces from its own thread, completing the appends it covered.
 *
 * <p>It keeps what is not forced yet — the segments written since their last force and the
 * directories with new entries — and the {@linkplain #durableOffset() durable offset}, below which
 * readers see records.
 *
 * <p><b>Locking.</b> The dirty segments, pending directories and waiters are guarded by the log's
 * append lock: the log calls every method with it held except {@link #durableOffset()} (volatile),
 * {@link #start()} and {@link #awaitStopped()}. Nothing here completes a future under that lock;
 * {@link #fail()} and {@link #takeWaiters()} hand the waiting appends back to be completed once it is
 * released. Not thread-safe otherwise; the group flusher's own thread takes the lock itself.
 */
abstract sealed class Durability permits Durability.Always, Durability.Never, GroupFlusher {

    /** An append waiting for every offset below {@code offsetExclusive} to be durable. */
    record Waiter(long offsetExclusive, CompletableFuture<Void> future) {}

    private final Storage storage;
    private final LogConfig.Syncer syncer;
    /** Segments written since they were last forced; under the append lock. */
    final Set<Segment> dirty = new LinkedHashSet<>();
    /** Directories whose new entries (the log's directory, new segments) are not yet synced; under the append lock. */
    final Set<Path> pendingDirSyncs = new LinkedHashSet<>();

    private volatile long durableOffset;

    Durability(Storage storage, LogConfig.Syncer syncer, long durableOffset) {
        this.storage = storage;
        this.syncer = syncer;
        this.durableOffset = durableOffset;
    }

    /** One past the last durable record. */
    final long durableOffset() {
        return durableOffset;
    }

    /** Everything below {@code offset} is durable. */
    final void durableUpTo(long offset) {
        durableOffset = offset;
    }

    final Storage storage() {
        return storage;
    }

    final LogConfig.Syncer syncer() {
        return syncer;
    }

    /** Starts what runs in the background, if anything; called once the log is open. */
    void start() {}

    /** {@code dir} got a new entry that must be synced before records in it are acknowledged. */
    final void created(Path dir) {
        pendingDirSyncs.add(dir);
    }

    /** Records were written to {@code segment}. */
    void written(Segment segment) {
        dirty.add(segment);
    }

    /** The log is about to roll from {@code old} to a new segment. */
    abstract void rolling(Segment old) throws IOException;

    /**
     * An append wrote its records; everything below {@code end} is written, and {@code durable} is due
     * once everything below {@code waitFor} is durable.
     *
     * @return true if it is due now (the caller completes it once it released the lock), false if it
     *     waits and is completed later, outside the lock
     * @throws ForceFailedException if a force failed (the log must fail)
     */
    abstract boolean appended(long waitFor, long end, CompletableFuture<Void> durable) throws IOException;

    /** Whether {@code segment} holds records that were written and not forced yet. */
    final boolean isUnforced(Segment segment) {
        return dirty.contains(segment);
    }

    /** {@code segment} was taken back (an append undone): it is not to be forced any more. */
    final void discard(Segment segment) {
        dirty.remove(segment);
    }

    /**
     * Syncs the pending directories and forces the dirty segments, here and now.
     *
     * @throws ForceFailedException if a sync or force failed; what is dirty stays dirty
     */
    final void forceAll() throws IOException {
        try {
            for (Path d : pendingDirSyncs) {
                storage.syncDirectory(d);
            }
            pendingDirSyncs.clear();
            for (Segment s : dirty) {
                syncer.force(s.channel());
            }
        } catch (IOException e) {
            throw new ForceFailedException(e);
        }
        dirty.clear();
    }

    /** The log failed: nothing is forced from now on; returns the waiting appends, to be failed. */
    List<Waiter> fail() {
        return List.of();
    }

    /** Returns (and forgets) the appends still waiting. */
    List<Waiter> takeWaiters() {
        return List.of();
    }

    /** The log is closing: whatever runs in the background forces what is left and stops. */
    void stop() {}

    /** Waits (without the lock) until what {@link #stop()} stopped has stopped. */
    void awaitStopped() {}

    /** The durability of {@code config}'s policy; {@code lock} is the log's append lock. */
    static Durability of(
            String topic,
            LogConfig config,
            Storage storage,
            long durableOffset,
            ReentrantLock lock,
            GroupFlusher.Log log) {
        return switch (config.fsync()) {
            case ALWAYS -> new Always(storage, config.syncer(), durableOffset);
            case NEVER -> new Never(storage, config.syncer(), durableOffset);
            case GROUP ->
                new GroupFlusher(topic, storage, config.syncer(), durableOffset, lock, log, config.flushers());
        };
    }

    /** {@code fsync=always}: every append forces what it wrote (and the directories) before it returns. */
    static final class Always extends Durability {

        Always(Storage storage, LogConfig.Syncer syncer, long durableOffset) {
            super(storage, syncer, durableOffset);
        }

        @Override
        void rolling(Segment old) throws IOException {
            forceAll();
        }

        @Override
        boolean appended(long waitFor, long end, CompletableFuture<Void> durable) throws IOException {
            forceAll();
            durableUpTo(end);
            return true;
        }
    }

    /** {@code fsync=never}: written is durable; the directories are synced on close. */
    static final class Never extends Durability {

        Never(Storage storage, LogConfig.Syncer syncer, long durableOffset) {
            super(storage, syncer, durableOffset);
        }

        @Override
        void written(Segment segment) {
            // never forced
        }

        @Override
        void rolling(Segment old) {}

        @Override
        boolean appended(long waitFor, long end, CompletableFuture<Void> durable) {
            durableUpTo(end);
            return true;
        }
    }

    /** A force failed: unlike a write refused for want of space, nothing can be undone after it. */
    static final class ForceFailedException extends IOException {
        private static final long serialVersionUID = 1L;

        ForceFailedException(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** A copy of {@code waiters}, which is then cleared. */
    static List<Waiter> drain(Collection<Waiter> waiters) {
        List<Waiter> out = new ArrayList<>(waiters);
        waiters.clear();
        return out;
    }
}
