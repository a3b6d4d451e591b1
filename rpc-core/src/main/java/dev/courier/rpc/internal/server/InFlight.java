package dev.courier.rpc.internal.server;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Counts the calls a server has accepted and not yet answered, and lets shutdown wait for them. Once
 * draining, new requests are refused.
 *
 * <p>Thread-safe.
 */
public final class InFlight {

    private static final long DRAIN_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final AtomicInteger running = new AtomicInteger();
    private volatile boolean draining;

    /**
     * Counts a new call unless draining has begun; false, counting nothing, if it has. Checked against
     * {@link #drain} both ways round: either the drain sees this call, or this call sees the drain, so
     * no call starts after a drain found nothing running (the server would then close under it).
     */
    public boolean tryEnter() {
        if (draining) {
            return false;
        }
        running.incrementAndGet();
        if (draining) {
            running.decrementAndGet();
            return false;
        }
        return true;
    }

    public void exit() {
        running.decrementAndGet();
    }

    public boolean isDraining() {
        return draining;
    }

    /** Refuses new calls from now on. */
    public void startDraining() {
        draining = true;
    }

    /** Refuses new calls from now on and waits up to {@code timeout} for accepted ones; true if all finished. */
    public boolean drain(long timeout, TimeUnit unit) {
        draining = true;
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (running.get() > 0) {
            if (deadline - System.nanoTime() <= 0 || Thread.currentThread().isInterrupted()) {
                return false;
            }
            LockSupport.parkNanos(DRAIN_POLL_NANOS);
        }
        return true;
    }

    public int running() {
        return running.get();
    }
}
