package dev.courier.registry.coordination;

import java.util.concurrent.CompletionStage;

/**
 * One grant of a {@link DistributedLock}. Thread-safe; {@link #close()} releases the lock and is
 * idempotent.
 */
public interface LockGrant extends AutoCloseable {

    /** The fencing token: larger than the token of every earlier grant of the same lock. */
    long fencingToken();

    /**
     * Whether this grant still holds: not released, and its session renewed within its TTL as measured
     * from when the renewal was sent (so this turns false no later than the registry could let another
     * client have the lock).
     */
    boolean isHeld();

    /** Completes when this grant stops holding: released, or its session lapsed. */
    CompletionStage<Void> lost();

    /** Releases the lock. */
    @Override
    void close();
}
