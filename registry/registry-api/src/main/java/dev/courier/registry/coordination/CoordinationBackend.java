package dev.courier.registry.coordination;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What a registry backend provides for {@link Coordination} (an SPI; applications use
 * {@link Coordination}). Implementations are thread-safe; failures to reach the registry are thrown (or
 * completed) as {@link dev.courier.registry.RegistryException}.
 *
 * <p><b>Lock queues.</b> A queue has a name and entries; each entry is bound to a session and carries a
 * value (the owner's name) and a token. Tokens are assigned by the registry, unique, and larger than
 * every token assigned before (so a queue is ordered by token, and the entry that heads a queue
 * has a larger token than every earlier head). When a session lapses the registry removes its entries.
 * A queue has a version that changes with every change to it.
 *
 * <p><b>Counters</b> are named longs, 0 until first added to, changed by atomic adds.
 */
public interface CoordinationBackend {

    /** Longest queue or counter name. */
    int MAX_NAME_LENGTH = 256;
    /** Longest entry value. */
    int MAX_VALUE_LENGTH = 1024;

    /**
     * Opens a session of about {@code ttl} (a backend whose session is its connection's, such as
     * ZooKeeper, uses that one), renewed on {@code scheduler} until closed or lost.
     */
    CoordinationSession openSession(Duration ttl, ScheduledExecutorService scheduler);

    /**
     * Appends an entry with {@code value} to queue {@code queue}, bound to {@code session}; returns its
     * token.
     *
     * @throws SessionLostException if the session no longer exists in the registry
     */
    long enqueue(CoordinationSession session, String queue, String value);

    /** Removes the entry with {@code token} from {@code queue}, if it is there. */
    void dequeue(String queue, long token);

    /** The queue, read linearizably (or as fresh as the backend reads). */
    QueueView queue(String queue);

    /**
     * Completes with the queue as soon as its version differs from {@code version}, or with the queue as
     * it is after about {@code maxWait}.
     */
    CompletableFuture<QueueView> queueChanged(String queue, long version, Duration maxWait);

    /** Adds {@code delta} to counter {@code counter} atomically and returns the new value. */
    long addAndGet(String counter, long delta);

    /** Checks a queue or counter name. */
    static String checkName(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException(
                    "A coordination name has 1 to " + MAX_NAME_LENGTH + " characters: " + name);
        }
        return name;
    }

    /** Checks an entry value. */
    static String checkValue(String value) {
        if (value == null || value.length() > MAX_VALUE_LENGTH) {
            throw new IllegalArgumentException(
                    "A candidate or owner name has at most " + MAX_VALUE_LENGTH + " characters");
        }
        return value;
    }
}
