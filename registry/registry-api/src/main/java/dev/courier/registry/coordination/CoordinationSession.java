package dev.courier.registry.coordination;

import java.util.concurrent.CompletionStage;

/**
 * A session of a {@link CoordinationBackend}: what a lock queue's entries are bound to. Thread-safe;
 * {@link #close()} ends it (the registry removes its entries) and is idempotent.
 */
public interface CoordinationSession extends AutoCloseable {

    /** The session's id in the registry (a lease id, a ZooKeeper session id). */
    long id();

    /**
     * Whether the session is still surely alive: renewed within its TTL, measured from when the renewal
     * was sent. Once false it stays false.
     */
    boolean isValid();

    /** Completes once the session is no longer valid (lapsed, lost or closed). */
    CompletionStage<Void> lost();

    @Override
    void close();
}
