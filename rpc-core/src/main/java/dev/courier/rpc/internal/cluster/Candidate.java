package dev.courier.rpc.internal.cluster;

/** What a load balancer knows of a provider. Implementations are thread-safe. */
public interface Candidate {

    /** Unique among the candidates of one call, stable across calls: {@code host:port}. */
    String id();

    /** Load-balancing weight, at least 1 for a candidate offered to a balancer. */
    int weight();

    /** Calls from this client in flight to the provider. */
    int active();

    /** Latency EWMA in nanoseconds; 0 before the first response. */
    double latencyEwmaNanos();
}
