package dev.courier.rpc.internal.cluster;

import dev.courier.registry.ServiceInstance;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Keeps the instances a reference may call: weight above 0 and every required tag. Version and group
 * are already part of the service key the directory watches. Immutable and thread-safe.
 */
public final class Router {

    private final Set<String> requiredTags;

    public Router(Set<String> requiredTags) {
        this.requiredTags = Set.copyOf(requiredTags);
    }

    public List<ServiceInstance> route(List<ServiceInstance> instances) {
        List<ServiceInstance> out = new ArrayList<>(instances.size());
        for (ServiceInstance i : instances) {
            if (i.weight() > 0 && i.tags().containsAll(requiredTags)) {
                out.add(i);
            }
        }
        return out;
    }
}
