package dev.courier.registry.coordination;

import java.time.Duration;
import java.util.Optional;

/**
 * A lock shared by every client of a registry. Waiters queue in the order the registry saw them; each
 * grant carries a fencing token that is larger than the token of every earlier grant of this lock.
 * A grant is held under the session of its {@link Coordination}: if the holder dies or loses its
 * session, the registry lets the next waiter have the lock.
 *
 * <p>A lease-based lock cannot stop a holder that was paused past its lease from acting as if it still
 * held it; the fencing token can. Pass it with every write to the resource the lock protects, and have
 * the resource refuse a token lower than the highest it has seen. Thread-safe.
 */
public interface DistributedLock {

    /** The lock's name. */
    String name();

    /**
     * Waits up to {@code timeout} for the lock.
     *
     * @return the grant, or empty if the lock was not free in time (the wait leaves nothing behind)
     * @throws InterruptedException if interrupted while waiting (the wait leaves nothing behind)
     * @throws dev.courier.registry.RegistryException if the registry cannot be reached
     */
    Optional<LockGrant> tryLock(Duration timeout) throws InterruptedException;
}
