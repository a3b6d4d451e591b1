package dev.courier.mq.broker.internal;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs its tasks one at a time, in the order they were handed over, on threads of a shared pool: an
 * owner that needs its work serialized (a topic's forcing appends) gets that order without a thread of
 * its own. A drain runs up to {@value #BATCH} tasks and then gives its thread back, so that one busy
 * owner cannot keep the other owners of the pool waiting.
 *
 * <p>Thread-safe. {@link #shutdown()} refuses new tasks and lets the ones queued run; {@link #awaitIdle}
 * waits for them.
 */
final class SerialExecutor implements Executor {

    /** Tasks one drain runs before it hands its thread back to the pool. */
    static final int BATCH = 16;

    private final Executor pool;
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    /** Whether a drain is queued on or running in the pool; guarded by {@code queue}. */
    private boolean draining;

    private boolean shutdown;

    SerialExecutor(Executor pool) {
        this.pool = pool;
    }

    @Override
    public void execute(Runnable task) {
        boolean start;
        synchronized (queue) {
            if (shutdown) {
                throw new RejectedExecutionException("shut down");
            }
            queue.add(task);
            start = !draining;
            draining = true;
        }
        if (start) {
            submitDrain();
        }
    }

    private void submitDrain() {
        try {
            pool.execute(this::drain);
        } catch (RejectedExecutionException e) {
            Runnable[] lost;
            synchronized (queue) {
                lost = queue.toArray(Runnable[]::new);
                queue.clear();
                draining = false;
                queue.notifyAll();
            }
            // the pool is gone: the tasks run here rather than never, which would leave their callers waiting
            for (Runnable r : lost) {
                r.run();
            }
        }
    }

    private void drain() {
        for (int i = 0; i < BATCH; i++) {
            Runnable task;
            synchronized (queue) {
                task = queue.poll();
                if (task == null) {
                    draining = false;
                    queue.notifyAll();
                    return;
                }
            }
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                Thread t = Thread.currentThread();
                t.getUncaughtExceptionHandler().uncaughtException(t, e);
            }
        }
        submitDrain(); // more may be queued: let the pool's other work go first
    }

    /** Refuses new tasks; those queued still run. */
    void shutdown() {
        synchronized (queue) {
            shutdown = true;
        }
    }

    /**
     * Waits until no task is queued or running, at most {@code timeout}.
     *
     * @return whether it is idle
     */
    boolean awaitIdle(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        synchronized (queue) {
            while (draining) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(queue, left);
            }
            return true;
        }
    }
}
