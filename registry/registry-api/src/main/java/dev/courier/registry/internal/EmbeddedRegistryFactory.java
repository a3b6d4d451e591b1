package dev.courier.registry.internal;

import dev.courier.registry.Registry;
import dev.courier.registry.RegistryFactory;
import dev.courier.registry.RegistryUrl;

import java.util.HashMap;
import java.util.Map;

/**
 * {@code embedded://[name]}: a registry living inside this JVM. Every client connected to the same name
 * (default {@code default}) shares one store, which lives while at least one client is open. Like an
 * in-process transport, the name table is per class loader. Thread-safe.
 */
public final class EmbeddedRegistryFactory implements RegistryFactory {

    private static final Map<String, Shared> STORES = new HashMap<>();

    private static final class Shared {
        final EmbeddedLeaseBackend backend = new EmbeddedLeaseBackend();
        int clients;
    }

    @Override
    public String scheme() {
        return "embedded";
    }

    @Override
    public Registry create(dev.courier.registry.RegistryUrl url) {
        String name = url.addresses().isEmpty() ? "default" : url.addresses().get(0);
        Shared shared;
        synchronized (STORES) {
            shared = STORES.computeIfAbsent(name, n -> new Shared());
            shared.clients++;
        }
        Shared s = shared;
        return new LeasedRegistry(s.backend, () -> release(name, s));
    }

    /** The store behind {@code embedded://name}, if any client holds it open; for tests and tools. */
    public static EmbeddedLeaseBackend store(String name) {
        synchronized (STORES) {
            Shared s = STORES.get(name);
            return s == null ? null : s.backend;
        }
    }

    private static void release(String name, Shared shared) {
        synchronized (STORES) {
            if (--shared.clients == 0 && STORES.get(name) == shared) {
                STORES.remove(name);
                shared.backend.close();
            }
        }
    }

    static RegistryUrl parse(String url) {
        return RegistryUrl.parse(url);
    }
}
