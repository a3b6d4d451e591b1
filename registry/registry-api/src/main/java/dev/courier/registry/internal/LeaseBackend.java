package dev.courier.registry.internal;

import dev.courier.registry.ServiceInstance;
import dev.courier.registry.ServiceKey;
import dev.courier.registry.ServiceSnapshot;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * What {@link LeasedRegistry} needs from a lease-based registry store (the embedded store or the Raft
 * cluster). Implementations are thread-safe. Failures to reach the store are thrown (or completed) as
 * {@link dev.courier.registry.RegistryException}.
 */
public interface LeaseBackend extends AutoCloseable {

    /** Grants a lease of {@code ttl}; returns its id. */
    long grant(Duration ttl);

    /** Renews the lease; {@code false} if it no longer exists. */
    boolean keepAlive(long leaseId);

    /** Binds {@code instance} to the lease; throws {@link LeaseNotFoundException} if the lease is gone. */
    void put(long leaseId, ServiceInstance instance);

    /** Removes the instance if it is still bound to {@code leaseId}. */
    void delete(long leaseId, ServiceKey key, String instanceId);

    /** Removes the lease and its instances. */
    void revoke(long leaseId);

    /** The current instances of {@code key}, read linearizably. */
    ServiceSnapshot snapshot(ServiceKey key);

    /** Keys with at least one instance. */
    Set<ServiceKey> services();

    /**
     * Completes with the changes to {@code key} after revision {@code after}, as soon as there is at least
     * one, or with an empty batch after about {@code maxWait}.
     */
    CompletableFuture<ChangeBatch> changesSince(ServiceKey key, long after, Duration maxWait);

    /** Most keys one {@link #changesSince(java.util.Map, Duration)} may ask about. */
    int MAX_WATCHED_KEYS = 100_000;

    /**
     * One long poll for many services: completes, as soon as at least one of them has changes after its
     * revision in {@code afters} (or must be listed again), with the batch of each such service; or with
     * no batch after about {@code maxWait}. This is what keeps one poll per client however many
     * services it watches.
     */
    CompletableFuture<java.util.Map<ServiceKey, ChangeBatch>> changesSince(
            java.util.Map<ServiceKey, Long> afters, Duration maxWait);

    /**
     * Appends an entry with {@code value} to lock queue {@code queue}, bound to lease {@code leaseId};
     * returns its token (see {@link dev.courier.registry.coordination.CoordinationBackend}).
     *
     * @throws LeaseNotFoundException if the lease is gone
     */
    long enqueue(long leaseId, String queue, String value);

    /** Removes the entry with {@code token} from {@code queue}, if it is there. */
    void dequeue(String queue, long token);

    /** The lock queue, read linearizably. */
    dev.courier.registry.coordination.QueueView queue(String queue);

    /** Completes with the queue once its version differs from {@code version}, or after about {@code maxWait}. */
    CompletableFuture<dev.courier.registry.coordination.QueueView> queueChanged(
            String queue, long version, Duration maxWait);

    /** Adds {@code delta} to counter {@code counter} and returns the new value. */
    long addAndGet(String counter, long delta);

    @Override
    void close();
}
