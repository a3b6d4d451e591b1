package dev.courier.rpc.internal.cluster;

import dev.courier.registry.ServiceInstance;

/** A registered instance and the endpoint that reaches it, as offered to a balancer. Immutable. */
record Provider(ServiceInstance instance, Endpoint endpoint) implements Candidate {

    @Override
    public String id() {
        return endpoint.id();
    }

    @Override
    public int weight() {
        return instance.weight();
    }

    @Override
    public int active() {
        return endpoint.active();
    }

    @Override
    public double latencyEwmaNanos() {
        return endpoint.latencyEwmaNanos();
    }
}
