package dev.courier.rpc;

import java.util.List;

/** Names of the load balancers a reference may use (see {@link ReferenceBuilder#loadBalance(String)}). */
public final class LoadBalance {

    /** Random, in proportion to the providers' weights. */
    public static final String RANDOM = "random";
    /** Smooth weighted round-robin (nginx's): in proportion to weights, evenly interleaved. */
    public static final String ROUND_ROBIN = "roundrobin";
    /** The provider with the fewest calls in flight from this client; ties by weight. */
    public static final String LEAST_ACTIVE = "leastactive";
    /** Consistent hashing on one argument: the same key goes to the same provider while the set is unchanged. */
    public static final String CONSISTENT_HASH = "consistenthash";
    /** Power of two choices on a latency EWMA times calls in flight, divided by weight (the default). */
    public static final String P2C = "p2c";

    /** Every known name. */
    public static final List<String> NAMES = List.of(RANDOM, ROUND_ROBIN, LEAST_ACTIVE, CONSISTENT_HASH, P2C);

    private LoadBalance() {}
}
