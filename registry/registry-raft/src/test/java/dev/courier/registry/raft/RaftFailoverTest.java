package dev.courier.registry.raft;

import dev.courier.registry.Registries;
import dev.courier.registry.Registry;
import dev.courier.registry.ServiceInstance;
import dev.courier.registry.ServiceKey;
import dev.courier.registry.WatchEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A 3-member cluster in this JVM loses its leader during a stream of registrations. */
class RaftFailoverTest {

    private static final ServiceKey KEY = ServiceKey.of("dev.courier.test.Failover");

    @TempDir
    Path dir;

    @Test
    void killingTheLeaderLosesNoAcknowledgedRegistrationAndKeepsWatchOrder() throws Exception {
        try (RaftTestCluster cluster = new RaftTestCluster(3, dir, 50).startAll();
                Registry provider = Registries.connect(cluster.url());
                Registry consumer = Registries.connect(cluster.url())) {
            cluster.awaitLeader();
            List<WatchEvent> events = new CopyOnWriteArrayList<>();
            consumer.watch(KEY, events::add);

            Set<ServiceInstance> acknowledged = ConcurrentHashMap.newKeySet();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong lastAckNanos = new AtomicLong();
            Thread stream = new Thread(
                    () -> {
                        for (int i = 0; !stop.get() && i < 60_000; i++) {
                            ServiceInstance instance = ServiceInstance.of(KEY, "10.2.0.1", 1000 + i);
                            try {
                                provider.register(instance, Duration.ofSeconds(10));
                                acknowledged.add(instance);
                                lastAckNanos.set(System.nanoTime());
                            } catch (RuntimeException e) {
                                // not acknowledged: may or may not be registered
                            }
                        }
                    },
                    "registration-stream");
            stream.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> acknowledged.size() >= 30);

            cluster.awaitEveryMemberAt(1);
            String leader = cluster.awaitLeader();
            long killedAt = System.nanoTime();
            cluster.stop(leader);
            int before = acknowledged.size();
            await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() > before + 5);
            String newLeader = cluster.awaitLeader();
            long firstAckAfterKill = await().atMost(Duration.ofSeconds(30)).until(lastAckNanos::get, t -> t > killedAt);
            System.out.printf(
                    "[raft] leader %s stopped; %s leads; a registration was acknowledged %d ms later%n",
                    leader, newLeader, (firstAckAfterKill - killedAt) / 1_000_000);
            assertThat(newLeader).isNotEqualTo(leader);

            // the old leader comes back on its data directory and catches up (by snapshot: every 50 entries)
            cluster.start(leader);
            await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() > before + 40);
            stop.set(true);
            stream.join();

            Set<ServiceInstance> listed = new HashSet<>(consumer.list(KEY).instances());
            assertThat(listed).containsAll(acknowledged);
            long revision = consumer.list(KEY).revision();
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(cluster.running.get(leader).countAndRevision()[1])
                            .isGreaterThanOrEqualTo(revision));

            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(
                                    new HashSet<>(events.get(events.size() - 1).instances()))
                            .isEqualTo(listed));
            for (int i = 1; i < events.size(); i++) {
                if (events.get(i).type() != WatchEvent.Type.SNAPSHOT) {
                    assertThat(events.get(i).revision())
                            .isGreaterThan(events.get(i - 1).revision());
                }
            }
        }
    }
}
