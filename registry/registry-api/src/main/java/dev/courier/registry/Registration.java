package dev.courier.registry;

import java.time.Duration;

/**
 * A registered instance bound to a lease that the registry client keeps alive. {@link #close()}
 * deregisters the instance and releases the lease; it is idempotent. If the process dies without
 * closing, the lease expires after its TTL and the instance disappears. Thread-safe.
 *
 * <p>When the client loses its session or the registry restarts, the client registers the instance
 * again on its own for as long as the registration is open.
 */
public interface Registration extends AutoCloseable {

    /** The registered instance. */
    ServiceInstance instance();

    /** The lease time-to-live. */
    Duration leaseTtl();

    /** Deregisters the instance. */
    @Override
    void close();
}
