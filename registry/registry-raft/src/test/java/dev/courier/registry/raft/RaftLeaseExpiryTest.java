package dev.courier.registry.raft;

import dev.courier.registry.ServiceInstance;
import dev.courier.registry.ServiceKey;
import dev.courier.registry.raft.internal.Command;
import dev.courier.registry.raft.internal.RegistryStateMachine;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.util.TimeDuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Lease expiry in a 3-member cluster in this JVM: an expiry is fenced by what its decision saw, a late
 * renewal wins, and leader changes give a crashed provider bounded grace.
 */
class RaftLeaseExpiryTest {

    private static final ServiceKey KEY = ServiceKey.of("dev.courier.test.Expiry");

    @TempDir
    Path dir;

    @Test
    void anExpiryAppliesOnlyIfNothingRenewedTheLeaseSinceAndItsTermStillLeads() throws Exception {
        try (RaftTestCluster cluster = new RaftTestCluster(3, dir, 10_000).startAll();
                RaftLeaseBackend backend = new RaftLeaseBackend(cluster.peers());
                RaftClient raw = rawClient(cluster)) {
            cluster.awaitLeader();
            ServiceInstance instance = ServiceInstance.of(KEY, "10.4.0.1", 8080);
            long lease = backend.grant(Duration.ofSeconds(60));
            backend.put(lease, instance);
            // (again from the top should the leader change meanwhile: its credential is then refused)
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
                RaftRegistryServer leader = cluster.running.get(cluster.awaitLeader());
                long seen = leader.stateMachine().renewedAt(lease);
                long term = leader.currentTerm();
                assertThat(backend.keepAlive(lease)).isTrue(); // renewed after the "decision" above

                // decided before the renewal: refused on every member
                assertThat(status(raw.io().send(asLeader(leader, Command.expire(lease, seen, term)))))
                        .isEqualTo(RegistryStateMachine.EXPIRY_REFUSED);
                // decided in an earlier term (a deposed leader's decision), appended now: refused
                long renewed = leader.stateMachine().renewedAt(lease);
                assertThat(renewed).isGreaterThan(seen);
                assertThat(status(raw.io().send(asLeader(leader, Command.expire(lease, renewed, term - 1)))))
                        .isEqualTo(RegistryStateMachine.EXPIRY_REFUSED);
            });
            assertThat(backend.snapshot(KEY).instances()).containsExactly(instance);
            // every member applied the same refusals
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(cluster.running.values().stream()
                                    .map(RaftRegistryServer::expiriesRefused)
                                    .distinct()
                                    .toList())
                            .singleElement()
                            .satisfies(n -> assertThat(n).isGreaterThanOrEqualTo(2L)));

            // what the current leader decides on the current renewal does apply
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                RaftRegistryServer now = cluster.running.get(cluster.awaitLeader());
                long mark = now.stateMachine().renewedAt(lease);
                assertThat(status(raw.io().send(asLeader(now, Command.expire(lease, mark, now.currentTerm())))))
                        .isZero();
            });
            assertThat(backend.snapshot(KEY).instances()).isEmpty();
            assertThat(backend.keepAlive(lease)).isFalse();
        }
    }

    @Test
    void aRenewalTheLeaderAppliesAfterDecidingTheLeaseLapsedKeepsTheProvider() throws Exception {
        try (RaftTestCluster cluster = new RaftTestCluster(3, dir, 10_000).startAll();
                RaftLeaseBackend backend = new RaftLeaseBackend(cluster.peers())) {
            cluster.awaitLeader();
            ServiceInstance instance = ServiceInstance.of(KEY, "10.4.0.2", 8080);
            long lease = backend.grant(Duration.ofMillis(1500));
            backend.put(lease, instance);
            RegistryStateMachine leader =
                    cluster.running.get(cluster.awaitLeader()).stateMachine();
            long submittedBefore = leader.expiriesSubmitted();
            AtomicBoolean hold = new AtomicBoolean(true);
            // a slow apply: the leader applies the next renewal only once its own clock has said the
            // lease lapsed and it has submitted the expiry, which lands in the log after the renewal
            leader.setBeforeApply(op -> {
                if (op == Command.KEEPALIVE && hold.compareAndSet(true, false)) {
                    try {
                        await().atMost(Duration.ofSeconds(30))
                                .until(() -> leader.expiriesSubmitted() > submittedBefore);
                    } catch (org.awaitility.core.ConditionTimeoutException e) {
                        // it lost the leadership first: the renewal applies, and the refusal check below fails
                    }
                }
            });

            assertThat(backend.keepAlive(lease)).isTrue();
            assertThat(hold).isFalse();
            // the provider renews on as a live one does; the expiry was refused on every member
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(backend.keepAlive(lease)).isTrue();
                assertThat(cluster.running.values())
                        .allSatisfy(m -> assertThat(m.expiriesRefused()).isPositive());
            });
            assertThat(backend.keepAlive(lease)).isTrue();
            assertThat(backend.snapshot(KEY).instances()).containsExactly(instance);
        }
    }

    @Test
    void underRepeatedLeaderChangesACrashedProviderIsStillGoneWithinItsBound() throws Exception {
        long ttlMillis = 4000;
        try (RaftTestCluster cluster = new RaftTestCluster(3, dir, 10_000).startAll();
                RaftLeaseBackend backend = new RaftLeaseBackend(cluster.peers());
                RaftClient raw = rawClient(cluster)) {
            cluster.awaitLeader();
            long lease = backend.grant(Duration.ofMillis(ttlMillis));
            backend.put(lease, ServiceInstance.of(KEY, "10.4.0.3", 8080));
            long crashedAt = System.nanoTime(); // the provider renews no more
            cluster.awaitEveryMemberAt(1);
            long termBefore = highestTerm(cluster);

            // the nemesis moves the leadership every 500 ms, up to eight times within one TTL; a leader that
            // granted every lease a full TTL afresh would keep this lease forever
            List<String> ids = cluster.ids();
            ScheduledExecutorService nemesis = Executors.newSingleThreadScheduledExecutor();
            try {
                nemesis.scheduleWithFixedDelay(
                        () -> {
                            try {
                                String leader = cluster.awaitLeader();
                                String next = ids.get((ids.indexOf(leader) + 1) % ids.size());
                                raw.admin().transferLeadership(RaftPeerId.valueOf(next), 3000);
                            } catch (Exception e) {
                                // a transfer that failed is a change that did not happen
                            }
                        },
                        0,
                        500,
                        TimeUnit.MILLISECONDS);
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> backend.snapshot(KEY).instances().isEmpty());
            } finally {
                nemesis.shutdownNow();
                assertThat(nemesis.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            }
            long goneMillis = (System.nanoTime() - crashedAt) / 1_000_000;
            long changed = highestTerm(cluster) - termBefore; // an election (moved or not) per term
            System.out.printf(
                    "[raft] crashed provider (TTL %d ms) gone after %d ms and %d leader changes%n",
                    ttlMillis, goneMillis, changed);
            assertThat(changed).isGreaterThanOrEqualTo(2);
            assertThat(backend.keepAlive(lease)).isFalse();
        }
    }

    /**
     * The log carries no clock: a member replaying it would take a crashed provider's lease for renewed
     * at the replay and keep it a whole TTL after a restart. The leader's checkpoints (and, when the
     * members stop gracefully, their snapshots) carry how long the lease has been silent, so after all
     * three members restart it is gone once what was left of its TTL has passed. The members' clock is
     * moved rather than waited for.
     */
    @ParameterizedTest(name = "snapshot at stop: {0}")
    @ValueSource(booleans = {false, true})
    void afterTheWholeClusterRestartsACrashedProviderIsGoneWhenWhatWasLeftOfItsTtlHasPassed(boolean snapshotAtStop)
            throws Exception {
        long ttlMillis = 120_000;
        long silentMillis = 80_000; // over half the TTL: checkpointed
        AtomicLong skew = new AtomicLong();
        try (RaftTestCluster cluster = new RaftTestCluster(3, dir, 10_000)) {
            cluster.clock = () -> System.nanoTime() + skew.get();
            cluster.ratisProperties.put(
                    "raft.server.snapshot.trigger-when-stop.enabled", Boolean.toString(snapshotAtStop));
            cluster.startAll().awaitLeader();
            long lease;
            try (RaftLeaseBackend provider = new RaftLeaseBackend(cluster.peers())) {
                lease = provider.grant(Duration.ofMillis(ttlMillis));
                provider.put(lease, ServiceInstance.of(KEY, "10.4.0.4", 8080));
            } // the provider renews no more
            cluster.awaitEveryMemberAt(1);

            skew.addAndGet(TimeUnit.MILLISECONDS.toNanos(silentMillis));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> cluster.running.values().stream()
                            .allMatch(m -> m.stateMachine().checkpointedSilenceMillis(lease) >= silentMillis));

            for (String id : cluster.ids()) {
                cluster.stop(id);
            }
            // one member alone (no leader, so nothing new is applied) has the lease back from its own
            // snapshot or log, already that long silent, not just renewed at the replay
            String first = cluster.ids().get(0);
            cluster.start(first);
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(
                                    cluster.running.get(first).stateMachine().silentMillis(lease))
                            .isGreaterThanOrEqualTo(silentMillis));
            for (String id : cluster.ids().subList(1, 3)) {
                cluster.start(id);
            }
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(cluster.running.values())
                            .allSatisfy(m -> assertThat(m.stateMachine().silentMillis(lease))
                                    .isGreaterThanOrEqualTo(silentMillis)));
            try (RaftLeaseBackend consumer = new RaftLeaseBackend(cluster.peers())) {
                assertThat(consumer.snapshot(KEY).instances()).hasSize(1);
                // the rest of the TTL and the leader-change grace: taken for renewed at the replay, the
                // lease would last 120 s more
                skew.addAndGet(TimeUnit.MILLISECONDS.toNanos(
                        ttlMillis - silentMillis + RegistryStateMachine.LEADER_CHANGE_GRACE_MILLIS));
                await().atMost(Duration.ofSeconds(30))
                        .ignoreExceptions()
                        .until(() -> consumer.snapshot(KEY).instances().isEmpty());
                assertThat(consumer.keepAlive(lease)).isFalse();
            }
        }
    }

    private static long highestTerm(RaftTestCluster cluster) {
        return cluster.running.values().stream()
                .mapToLong(RaftRegistryServer::currentTerm)
                .max()
                .orElseThrow();
    }

    private static Message asLeader(RaftRegistryServer leader, Message expiry) {
        return Command.authenticated(leader.stateMachine().memberSecret(), expiry);
    }

    private static int status(RaftClientReply reply) {
        assertThat(reply.isSuccess()).isTrue();
        return reply.getMessage().getContent().byteAt(0);
    }

    private static RaftClient rawClient(RaftTestCluster cluster) {
        return RaftClient.newBuilder()
                .setProperties(new RaftProperties())
                .setRaftGroup(cluster.peers().group())
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(
                        50, TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
                .build();
    }
}
