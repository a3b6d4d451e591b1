package dev.courier.rpc.internal.cluster;

import dev.courier.rpc.Invocation;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Smooth weighted round-robin (nginx): each pick adds every candidate's weight to its current value,
 * takes the largest and subtracts the total from it. Weights 5,1,1 give a a b a c a a, not a a a a a b c.
 * Thread-safe (one lock per pick).
 */
final class RoundRobinBalancer implements LoadBalancer {

    private final Map<String, long[]> current = new HashMap<>();

    @Override
    public synchronized <C extends Candidate> C select(List<C> candidates, Invocation invocation) {
        long total = 0;
        C best = null;
        long bestValue = Long.MIN_VALUE;
        for (C c : candidates) {
            long[] value = current.computeIfAbsent(c.id(), id -> new long[1]);
            value[0] += c.weight();
            total += c.weight();
            if (value[0] > bestValue) {
                bestValue = value[0];
                best = c;
            }
        }
        current.get(best.id())[0] -= total;
        if (current.size() > candidates.size() * 2 + 8) {
            Set<String> live = new HashSet<>();
            candidates.forEach(c -> live.add(c.id()));
            current.keySet().retainAll(live);
        }
        return best;
    }
}
