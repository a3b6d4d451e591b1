package dev.courier.rpc.internal.cluster;

import dev.courier.rpc.LoadBalance;

/** Creates load balancers by name (see {@link LoadBalance}). */
public final class LoadBalancers {

    private LoadBalancers() {}

    /**
     * A new balancer for one reference.
     *
     * @param hashArgument the argument consistent hashing keys on
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     */
    public static LoadBalancer create(String name, int hashArgument) {
        switch (name) {
            case LoadBalance.RANDOM:
                return new WeightedRandomBalancer();
            case LoadBalance.ROUND_ROBIN:
                return new RoundRobinBalancer();
            case LoadBalance.LEAST_ACTIVE:
                return new LeastActiveBalancer();
            case LoadBalance.CONSISTENT_HASH:
                return new ConsistentHashBalancer(hashArgument);
            case LoadBalance.P2C:
                return new PowerOfTwoChoicesBalancer();
            default:
                throw new IllegalArgumentException(
                        "Unknown load balancer '" + name + "'; use one of " + LoadBalance.NAMES);
        }
    }
}
