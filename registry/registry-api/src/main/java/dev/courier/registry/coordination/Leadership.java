package dev.courier.registry.coordination;

import java.util.concurrent.CompletionStage;

/**
 * The leadership won by one campaign. Thread-safe; {@link #close()} resigns and is idempotent.
 */
public interface Leadership extends AutoCloseable {

    /** The term: larger than that of every earlier leader of the election (a fencing token). */
    long term();

    /** Whether this candidate still leads (see {@link LockGrant#isHeld()}). */
    boolean isLeader();

    /** Completes when this candidate stops leading: it resigned, or its session lapsed. */
    CompletionStage<Void> lost();

    /** Resigns. */
    @Override
    void close();
}
