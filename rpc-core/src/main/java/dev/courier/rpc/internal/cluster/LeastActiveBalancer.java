package dev.courier.rpc.internal.cluster;

import dev.courier.rpc.Invocation;

import java.util.ArrayList;
import java.util.List;

/** The candidate with the fewest calls in flight; ties broken at random by weight. Stateless and thread-safe. */
final class LeastActiveBalancer implements LoadBalancer {

    @Override
    public <C extends Candidate> C select(List<C> candidates, Invocation invocation) {
        int least = Integer.MAX_VALUE;
        List<C> ties = new ArrayList<>(candidates.size());
        for (C c : candidates) {
            int active = c.active();
            if (active < least) {
                least = active;
                ties.clear();
                ties.add(c);
            } else if (active == least) {
                ties.add(c);
            }
        }
        return WeightedRandomBalancer.pick(ties);
    }
}
