package dev.courier.registry.coordination;

import java.time.Duration;

/**
 * The coordination primitives of one registry client, sharing one session: a lease kept alive by this
 * object (on ZooKeeper, the client's ZooKeeper session). Every lock grant, leadership and snowflake
 * worker id is bound to the session; when the session lapses (the process died, or could not renew it
 * within its TTL) the registry lets go of all of them and this object tells their holders. The next
 * call opens a new session.
 *
 * <p>Obtain one with {@link dev.courier.registry.Registry#openCoordination(Duration)}. Thread-safe.
 * {@link #close()} releases every lock and leadership, ends the session and stops its threads; it is
 * idempotent.
 */
public interface Coordination extends AutoCloseable {

    /** Session TTL used when none is given. */
    Duration DEFAULT_SESSION_TTL = Duration.ofSeconds(10);

    /** The lock called {@code name} (at most {@value CoordinationBackend#MAX_NAME_LENGTH} characters). */
    DistributedLock lock(String name);

    /** The election called {@code name}. */
    LeaderElection election(String name);

    /**
     * A snowflake-style generator: {@code 41 bits of milliseconds since 2026-01-01 | 10 bits worker |
     * 12 bits sequence}, whose worker id is a lock of this session (so no two live processes share one).
     */
    IdGenerator snowflake();

    /**
     * A segment generator (Meituan Leaf style): it claims ranges of {@code step} ids from the registry
     * counter {@code name} with one atomic add, and hands them out in order, claiming the next range
     * before this one runs out. The ids of one generator strictly increase; every range claimed is above
     * every range claimed before it, by any process.
     */
    IdGenerator segments(String name, int step);

    @Override
    void close();
}
