package dev.courier.registry;

import java.time.Duration;

/**
 * A client of a service registry. Implementations are thread-safe: one instance is shared by a whole
 * process. {@link #close()} deregisters every open registration, stops every watch and releases the
 * client's threads and connections; it is idempotent.
 *
 * <p>Obtain one with {@link Registries#connect(String)}.
 */
public interface Registry extends AutoCloseable {

    /** The lease TTL used by {@link #register(ServiceInstance)}. */
    Duration DEFAULT_LEASE_TTL = Duration.ofSeconds(10);

    /**
     * Registers {@code instance} under a lease of {@code leaseTtl} that this client keeps alive with
     * heartbeats. Returns once the registration is durable in the registry.
     *
     * @throws RegistryException if the registry cannot be reached
     */
    Registration register(ServiceInstance instance, Duration leaseTtl);

    /** Registers {@code instance} with {@link #DEFAULT_LEASE_TTL}. */
    default Registration register(ServiceInstance instance) {
        return register(instance, DEFAULT_LEASE_TTL);
    }

    /**
     * The current instances of {@code key}.
     *
     * @throws RegistryException if the registry cannot be reached
     */
    ServiceSnapshot list(ServiceKey key);

    /**
     * Watches {@code key}: {@code listener} first receives a snapshot, then every change in order.
     *
     * @throws RegistryException if the registry cannot be reached
     */
    Watch watch(ServiceKey key, WatchListener listener);

    /** Every service key with at least one instance. */
    java.util.Set<ServiceKey> services();

    /**
     * Opens the coordination primitives (locks, elections, ids) over this registry, under a session of
     * {@code sessionTtl} (ZooKeeper: the client's session, whatever its timeout). The caller owns the
     * result; closing this registry closes it too.
     *
     * @throws UnsupportedOperationException if the backend has no coordination support
     */
    default dev.courier.registry.coordination.Coordination openCoordination(Duration sessionTtl) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " offers no coordination");
    }

    @Override
    void close();
}
