package dev.courier.rpc.internal.cluster;

import dev.courier.rpc.Invocation;

import java.util.List;

/** Picks one provider for a call. Implementations are thread-safe; one instance serves one reference. */
public interface LoadBalancer {

    /** One of {@code candidates} (never empty, ids distinct, weights at least 1). */
    <C extends Candidate> C select(List<C> candidates, Invocation invocation);
}
