package dev.courier.rpc.internal.cluster;

import dev.courier.rpc.Invocation;
import dev.courier.rpc.LoadBalance;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class LoadBalancerTest {

    private static final int PICKS = 40_000;

    record Fake(String id, int weight, int active, double latencyEwmaNanos) implements Candidate {
        static Fake of(String id, int weight) {
            return new Fake(id, weight, 0, 0);
        }
    }

    private static Invocation call(Object... args) {
        return new Invocation() {
            @Override
            public String service() {
                return "svc";
            }

            @Override
            public String version() {
                return "1.0";
            }

            @Override
            public String group() {
                return "default";
            }

            @Override
            public Method method() {
                return null;
            }

            @Override
            public Object[] arguments() {
                return args;
            }

            @Override
            public Map<String, String> attachments() {
                return Map.of();
            }

            @Override
            public long remainingMillis() {
                return 1000;
            }
        };
    }

    private static Map<String, Double> shares(LoadBalancer balancer, List<Fake> candidates, int picks) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < picks; i++) {
            counts.merge(balancer.select(candidates, call("k" + i)).id(), 1, Integer::sum);
        }
        Map<String, Double> shares = new HashMap<>();
        counts.forEach((id, n) -> shares.put(id, n / (double) picks));
        return shares;
    }

    @Test
    void weightedRandomFollowsWeights() {
        // 40,000 draws with p = 0.6: standard deviation 0.0024, so +-0.015 is more than 6 sigma
        Map<String, Double> s = shares(
                LoadBalancers.create(LoadBalance.RANDOM, 0),
                List.of(Fake.of("a", 300), Fake.of("b", 150), Fake.of("c", 50)),
                PICKS);
        assertThat(s.get("a")).isCloseTo(0.6, within(0.015));
        assertThat(s.get("b")).isCloseTo(0.3, within(0.015));
        assertThat(s.get("c")).isCloseTo(0.1, within(0.015));
    }

    @Test
    void smoothRoundRobinInterleavesInProportionToWeights() {
        LoadBalancer rr = LoadBalancers.create(LoadBalance.ROUND_ROBIN, 0);
        List<Fake> candidates = List.of(Fake.of("a", 5), Fake.of("b", 1), Fake.of("c", 1));
        StringBuilder order = new StringBuilder();
        for (int i = 0; i < 14; i++) {
            order.append(rr.select(candidates, call()).id());
        }
        assertThat(order.toString()).isEqualTo("aabacaa" + "aabacaa");
        Map<String, Double> s = shares(rr, candidates, 7_000);
        assertThat(s.get("a")).isEqualTo(5 / 7.0, within(1e-9));
    }

    @Test
    void leastActivePrefersIdleProvidersAndSplitsTiesByWeight() {
        LoadBalancer la = LoadBalancers.create(LoadBalance.LEAST_ACTIVE, 0);
        List<Fake> candidates =
                List.of(new Fake("busy", 100, 5, 0), new Fake("idle1", 300, 1, 0), new Fake("idle2", 100, 1, 0));
        Map<String, Double> s = shares(la, candidates, PICKS);
        assertThat(s).doesNotContainKey("busy");
        assertThat(s.get("idle1")).isCloseTo(0.75, within(0.015));
    }

    @Test
    void powerOfTwoChoicesAvoidsTheSlowProviderAndSpreadsOverEqualOnes() {
        LoadBalancer p2c = LoadBalancers.create(LoadBalance.P2C, 0);
        List<Fake> equal = List.of(new Fake("a", 100, 0, 1e6), new Fake("b", 100, 0, 1e6), new Fake("c", 100, 0, 1e6));
        Map<String, Double> s = shares(p2c, equal, PICKS);
        // which of two equal ones wins is fixed by position, so shares are 2/3, 1/3, 0 of the pairs drawn:
        // each candidate still gets a substantial share
        assertThat(s.values()).allSatisfy(share -> assertThat(share).isBetween(0.1, 0.6));

        List<Fake> oneSlow =
                List.of(new Fake("fast1", 100, 0, 1e6), new Fake("fast2", 100, 0, 1e6), new Fake("slow", 100, 0, 50e6));
        assertThat(shares(p2c, oneSlow, PICKS)).doesNotContainKey("slow");

        List<Fake> twoLoaded = List.of(new Fake("loaded", 100, 9, 1e6), new Fake("free", 100, 0, 1e6));
        assertThat(shares(p2c, twoLoaded, 1000)).containsOnlyKeys("free");
    }

    @Test
    void consistentHashIsStickyAndSpreadsKeys() {
        LoadBalancer ch = LoadBalancers.create(LoadBalance.CONSISTENT_HASH, 1);
        List<Fake> nodes = nodes(4);
        Map<String, Integer> perNode = new HashMap<>();
        for (int k = 0; k < 10_000; k++) {
            String first = ch.select(nodes, call("ignored", "user-" + k)).id();
            assertThat(ch.select(nodes, call("other", "user-" + k)).id()).isEqualTo(first);
            perNode.merge(first, 1, Integer::sum);
        }
        // 160 points per node keep every node near 1/4 of the keys
        assertThat(perNode.values()).allSatisfy(n -> assertThat(n).isBetween(1_500, 3_500));
    }

    @Test
    void consistentHashMovesOnlyTheKeysOfTheChangedProvider() {
        LoadBalancer ch = LoadBalancers.create(LoadBalance.CONSISTENT_HASH, 0);
        List<Fake> four = nodes(4);
        List<Fake> five = nodes(5);
        int keys = 10_000;
        int movedToNew = 0;
        for (int k = 0; k < keys; k++) {
            String before = ch.select(four, call("key-" + k)).id();
            String after = ch.select(five, call("key-" + k)).id();
            if (!before.equals(after)) {
                assertThat(after).as("a key only moves to the added provider").isEqualTo("10.0.0.5:1");
                movedToNew++;
            }
        }
        // ideal is 1/5 of the keys
        assertThat(movedToNew / (double) keys).isBetween(0.12, 0.28);

        List<Fake> withoutSecond = new ArrayList<>(four);
        withoutSecond.remove(1);
        for (int k = 0; k < keys; k++) {
            String before = ch.select(four, call("key-" + k)).id();
            String after = ch.select(withoutSecond, call("key-" + k)).id();
            if (!before.equals("10.0.0.2:1")) {
                assertThat(after).as("keys of remaining providers stay").isEqualTo(before);
            }
        }
    }

    @Test
    void consistentHashIgnoresWeights() {
        LoadBalancer ch = LoadBalancers.create(LoadBalance.CONSISTENT_HASH, 0);
        List<Fake> even = nodes(4);
        List<Fake> skewed = List.of(
                Fake.of("10.0.0.1:1", 1),
                Fake.of("10.0.0.2:1", 900),
                Fake.of("10.0.0.3:1", 100),
                Fake.of("10.0.0.4:1", 5));
        Map<String, Integer> perNode = new HashMap<>();
        for (int k = 0; k < 10_000; k++) {
            String node = ch.select(even, call("key-" + k)).id();
            assertThat(ch.select(skewed, call("key-" + k)).id())
                    .as("a weight change moves no key")
                    .isEqualTo(node);
            perNode.merge(node, 1, Integer::sum);
        }
        // the 900-weight provider gets no more than its even share
        assertThat(perNode.values()).allSatisfy(n -> assertThat(n).isBetween(1_500, 3_500));
    }

    @Test
    void unknownBalancerNamesTheKnownOnes() {
        assertThatThrownBy(() -> LoadBalancers.create("fastest", 0))
                .hasMessageContaining("Unknown load balancer 'fastest'")
                .hasMessageContaining("roundrobin");
    }

    @Test
    void retryBudgetCapsRetriesToAFractionOfCalls() {
        RetryBudget budget = new RetryBudget(0.2, 10, 100);
        int retries = 0;
        for (int call = 0; call < 1_000; call++) {
            budget.deposit();
            // every call fails and wants a retry
            if (budget.tryRetry()) {
                retries++;
            }
        }
        assertThat(retries).isBetween(200, 210);
    }

    private static List<Fake> nodes(int n) {
        List<Fake> list = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            list.add(Fake.of("10.0.0." + i + ":1", 100));
        }
        return list;
    }
}
