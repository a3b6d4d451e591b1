package dev.courier.mq.broker.storage;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit ({@link FsyncPolicy#GROUP}) for one {@link TopicLog}: a flusher thread forces the written
 * segments (and syncs the directories with new entries) as soon as its previous force returned, then
 * advances the durable offset to what was appended when it began and completes the appends that covers.
 * An append that finds its records durable already completes at once; any other waits here.
 *
 * <p><b>Failures.</b> A failed sync or force fails the log ({@link Log#failed}); every waiting and later
 * append fails and nothing is acknowledged after it. A segment that retention deleted while it was
 * being forced was durable already: its closed channel is not a failure.
 *
 * <p><b>Locking and threads.</b> The dirty segments, pending directories and waiters are guarded by the
 * log's append lock, on which the flusher waits for work; the forces run without it, and the waiters'
 * futures are completed after it is released. This class owns its flusher thread: {@link #start()}
 * starts it, {@link #stop()} (under the lock) makes it force what is left and end, and
 * {@link #awaitStopped()} waits for that.
 */
final class GroupFlusher extends Durability {

    /** What the flusher needs of its log. */
    interface Log {
        /** One past the last appended record; called with the append lock held. */
        long end();

        /** Whether {@code segment} is still part of the log (retention did not delete it). */
        boolean retains(Segment segment);

        /** A sync or force failed: fails the log and its waiting appends; called without the lock. */
        void failed(Throwable cause);

        /** The durable offset advanced; called without the lock. */
        void durableAdvanced();
    }

    private final ReentrantLock lock;
    private final Condition work;
    private final Log log;
    private final Thread thread;
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private boolean failed;
    private boolean stopping;

    GroupFlusher(
            String topic, Storage storage, LogConfig.Syncer syncer, long durableOffset, ReentrantLock lock, Log log) {
        super(storage, syncer, durableOffset);
        this.lock = lock;
        this.work = lock.newCondition();
        this.log = log;
        this.thread = new Thread(this::run, "courier-flusher-" + topic);
        this.thread.setDaemon(true);
    }

    @Override
    void start() {
        thread.start();
    }

    @Override
    void rolling(Segment old) {
        dirty.add(old);
    }

    @Override
    boolean appended(long waitFor, long end, CompletableFuture<Void> durable) {
        if (waitFor <= durableOffset()) {
            return true;
        }
        waiters.add(new Waiter(waitFor, durable));
        work.signal();
        return false;
    }

    @Override
    List<Waiter> fail() {
        failed = true;
        List<Waiter> dropped = drain(waiters);
        work.signalAll();
        return dropped;
    }

    @Override
    List<Waiter> takeWaiters() {
        return drain(waiters);
    }

    @Override
    void stop() {
        stopping = true;
        work.signalAll();
    }

    @Override
    void awaitStopped() {
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        while (true) {
            long target;
            List<Segment> toForce;
            List<Path> dirsToSync;
            lock.lock();
            try {
                while (!stopping && dirty.isEmpty() && pendingDirSyncs.isEmpty() && !failed) {
                    work.awaitUninterruptibly();
                }
                if (failed || (stopping && dirty.isEmpty() && pendingDirSyncs.isEmpty())) {
                    return;
                }
                target = log.end();
                toForce = new ArrayList<>(dirty);
                dirty.clear();
                dirsToSync = new ArrayList<>(pendingDirSyncs);
                pendingDirSyncs.clear();
            } finally {
                lock.unlock();
            }
            try {
                for (Path d : dirsToSync) {
                    storage().syncDirectory(d);
                }
                for (Segment s : toForce) {
                    try {
                        syncer().force(s.channel());
                    } catch (ClosedChannelException e) {
                        if (log.retains(s)) {
                            throw e;
                        }
                        // retention deleted it meanwhile: everything in it was durable already
                    }
                }
            } catch (IOException | RuntimeException e) {
                log.failed(e);
                return;
            }
            List<Waiter> done = new ArrayList<>();
            lock.lock();
            try {
                durableUpTo(target);
                while (!waiters.isEmpty() && waiters.peekFirst().offsetExclusive() <= target) {
                    done.add(waiters.pollFirst());
                }
            } finally {
                lock.unlock();
            }
            for (Waiter w : done) {
                w.future().complete(null);
            }
            log.durableAdvanced();
        }
    }
}
