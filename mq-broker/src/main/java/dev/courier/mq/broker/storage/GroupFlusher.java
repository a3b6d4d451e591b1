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
 * Group commit ({@link FsyncPolicy#GROUP}) for one {@link TopicLog}: the log's flushes force the written
 * segments (and sync the directories with new entries) as soon as the previous force returned, then
 * advance the durable offset to what was appended when it began and complete the appends that covers.
 * An append that finds its records durable already completes at once; any other waits here.
 *
 * <p><b>Where flushes run.</b> With a shared executor ({@link LogConfig#flushers()}, as the broker gives
 * every topic), a flush is a task on it: the first append that waits submits one, and a flush that finds
 * more work when it ends submits the next, so one log has at most one flush at a time and the broker has as
 * many flushing threads as the executor, whatever the number of topics. Without one, the log owns a flusher
 * thread that waits for work.
 *
 * <p><b>Failures.</b> A failed sync or force fails the log ({@link Log#failed}); every waiting and later
 * append fails and nothing is acknowledged after it. A segment that retention deleted while it was
 * being forced was durable already: its closed channel is not a failure.
 *
 * <p><b>Locking.</b> The dirty segments, pending directories, waiters and the flush state are guarded by
 * the log's append lock; the forces run without it, and the waiters' futures are completed after it is
 * released. {@link #start()} starts the thread (if it has one), {@link #stop()} (under the lock) makes the
 * last flush force what is left, and {@link #awaitStopped()} waits for that.
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
    private final Condition idle;
    private final Log log;
    /** The shared executor flushes run on, or null when {@link #thread} does. */
    private final java.util.concurrent.Executor flushers;

    private final Thread thread;
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private boolean failed;
    private boolean stopping;
    /** With an executor: a flush is submitted or running. */
    private boolean scheduled;

    GroupFlusher(
            String topic,
            Storage storage,
            LogConfig.Syncer syncer,
            long durableOffset,
            ReentrantLock lock,
            Log log,
            java.util.concurrent.Executor flushers) {
        super(storage, syncer, durableOffset);
        this.lock = lock;
        this.work = lock.newCondition();
        this.idle = lock.newCondition();
        this.log = log;
        this.flushers = flushers;
        if (flushers == null) {
            this.thread = new Thread(this::run, "courier-flusher-" + topic);
            this.thread.setDaemon(true);
        } else {
            this.thread = null;
        }
    }

    @Override
    void start() {
        if (thread != null) {
            thread.start();
        }
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
        wake();
        return false;
    }

    /** There is work: signals the thread, or submits a flush unless one is on its way. Under the lock. */
    private void wake() {
        if (thread != null) {
            work.signal();
        } else if (!scheduled && !failed) {
            scheduled = true;
            try {
                flushers.execute(this::flushTask);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                scheduled = false; // the broker is closing: the log's close forces what is left
            }
        }
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
        if (thread != null) {
            work.signalAll();
        } else if (hasWork()) {
            wake();
        }
    }

    @Override
    void awaitStopped() {
        if (thread != null) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        lock.lock();
        try {
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (scheduled) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || idle.awaitNanos(left) <= 0 && scheduled) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    private boolean hasWork() {
        return !dirty.isEmpty() || !pendingDirSyncs.isEmpty();
    }

    private void run() {
        while (true) {
            lock.lock();
            try {
                while (!stopping && !hasWork() && !failed) {
                    work.awaitUninterruptibly();
                }
                if (failed || (stopping && !hasWork())) {
                    return;
                }
            } finally {
                lock.unlock();
            }
            if (!flushOnce()) {
                return;
            }
        }
    }

    /** Flushes in a row a task makes before it lets other logs' flushes have the thread. */
    private static final int FLUSHES_PER_TASK = 16;

    /**
     * Flushes on the shared executor while work keeps coming, as a thread of the log's own would (a new task
     * for each flush would add a hand-off to every group commit), then gives the thread back; submits another
     * task if work is left.
     */
    private void flushTask() {
        for (int i = 0; ; i++) {
            boolean ok = flushOnce();
            lock.lock();
            try {
                if (ok && !failed && hasWork() && i + 1 < FLUSHES_PER_TASK) {
                    continue;
                }
                scheduled = false;
                if (ok && !failed && hasWork()) {
                    wake();
                }
                if (!scheduled) {
                    idle.signalAll();
                }
                return;
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Forces what is dirty now and completes the appends it covers.
     *
     * @return false if the log failed (nothing more is flushed)
     */
    private boolean flushOnce() {
        long target;
        List<Segment> toForce;
        List<Path> dirsToSync;
        lock.lock();
        try {
            if (failed) {
                return false;
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
            return false;
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
        return true;
    }
}
