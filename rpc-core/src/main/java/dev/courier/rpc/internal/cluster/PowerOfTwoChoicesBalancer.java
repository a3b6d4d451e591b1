package dev.courier.rpc.internal.cluster;

import dev.courier.rpc.Invocation;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Power of two choices: draws two distinct candidates at random and takes the cheaper, where the cost
 * is {@code (latency EWMA + 1 µs) × (calls in flight + 1) / weight}. Cheap, and steers load away from
 * slow or overloaded providers without the herding of always picking the global best. Stateless and
 * thread-safe.
 */
final class PowerOfTwoChoicesBalancer implements LoadBalancer {

    private static final double BASE_NANOS = 1_000;

    @Override
    public <C extends Candidate> C select(List<C> candidates, Invocation invocation) {
        int n = candidates.size();
        if (n == 1) {
            return candidates.get(0);
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int i = random.nextInt(n);
        int j = random.nextInt(n - 1);
        if (j >= i) {
            j++;
        }
        C a = candidates.get(i);
        C b = candidates.get(j);
        return cost(a) <= cost(b) ? a : b;
    }

    static double cost(Candidate c) {
        return (c.latencyEwmaNanos() + BASE_NANOS) * (c.active() + 1) / c.weight();
    }
}
