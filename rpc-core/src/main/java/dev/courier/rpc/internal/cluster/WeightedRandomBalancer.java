package dev.courier.rpc.internal.cluster;

import dev.courier.rpc.Invocation;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Random in proportion to weight. Stateless and thread-safe. */
final class WeightedRandomBalancer implements LoadBalancer {

    @Override
    public <C extends Candidate> C select(List<C> candidates, Invocation invocation) {
        return pick(candidates);
    }

    static <C extends Candidate> C pick(List<C> candidates) {
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        long total = 0;
        for (C c : candidates) {
            total += c.weight();
        }
        long r = ThreadLocalRandom.current().nextLong(total);
        for (C c : candidates) {
            r -= c.weight();
            if (r < 0) {
                return c;
            }
        }
        return candidates.get(candidates.size() - 1);
    }
}
