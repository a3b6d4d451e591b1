package dev.courier.rpc.internal.server;

import dev.courier.registry.Registration;
import dev.courier.registry.Registry;
import dev.courier.registry.ServiceInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A server's entries in the registry: registered at start, withdrawn and restored at run time
 * ({@link #offline()}, {@link #online()}: a rolling deploy takes a provider out of rotation without
 * stopping it), withdrawn for good by {@link #close()}.
 *
 * <p>Thread-safe. Registry calls run under this object's lock, so an {@code online()} and a
 * {@code close()} never interleave; no future is completed under it.
 */
public final class Registrations implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Registrations.class);

    private final Registry registry;
    private final List<ServiceInstance> instances;
    private final Duration leaseTtl;
    private final List<Registration> held = new ArrayList<>();
    private volatile boolean registered;
    private boolean closed;

    public Registrations(Registry registry, List<ServiceInstance> instances, Duration leaseTtl) {
        this.registry = registry;
        this.instances = List.copyOf(instances);
        this.leaseTtl = leaseTtl;
    }

    /** Registers every instance; true if this brought the server online, false if it already was. */
    public synchronized boolean online() {
        if (closed) {
            throw new IllegalStateException("The server is closed");
        }
        if (registered) {
            return false;
        }
        try {
            for (ServiceInstance instance : instances) {
                held.add(registry.register(instance, leaseTtl));
                log.info("Registered {} at {} (weight {})", instance.key(), instance.id(), instance.weight());
            }
        } catch (RuntimeException e) {
            withdraw();
            throw e;
        }
        registered = true;
        return true;
    }

    /** Deregisters every instance and keeps serving; true if this took the server offline. */
    public synchronized boolean offline() {
        if (closed) {
            throw new IllegalStateException("The server is closed");
        }
        if (!registered) {
            return false;
        }
        withdraw();
        return true;
    }

    /** Whether every instance is registered now. */
    public boolean registered() {
        return registered;
    }

    public List<ServiceInstance> instances() {
        return instances;
    }

    @Override
    public synchronized void close() {
        closed = true;
        withdraw();
    }

    private void withdraw() {
        registered = false;
        for (Registration r : held) {
            try {
                r.close();
                log.info(
                        "Deregistered {} at {}",
                        r.instance().key(),
                        r.instance().id());
            } catch (RuntimeException e) {
                log.warn(
                        "Could not deregister {}; its lease will expire",
                        r.instance().key(),
                        e);
            }
        }
        held.clear();
    }
}
