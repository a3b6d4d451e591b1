package dev.courier.registry;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The instances of one service at one revision. Immutable and therefore thread-safe; the list is
 * sorted by instance id.
 *
 * @param key the service
 * @param revision the registry revision this list was read at (backend-specific, non-decreasing for
 *                 one watch or one client)
 * @param instances the instances, sorted by {@link ServiceInstance#id()}
 */
public record ServiceSnapshot(ServiceKey key, long revision, List<ServiceInstance> instances) {

    public ServiceSnapshot {
        Objects.requireNonNull(key, "key");
        instances = instances.stream()
                .sorted(Comparator.comparing(ServiceInstance::id))
                .toList();
    }

    /** Number of instances. */
    public int size() {
        return instances.size();
    }
}
