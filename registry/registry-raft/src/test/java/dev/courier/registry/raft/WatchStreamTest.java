package dev.courier.registry.raft;

import dev.courier.registry.Registries;
import dev.courier.registry.Registry;
import dev.courier.registry.ServiceInstance;
import dev.courier.registry.ServiceKey;
import dev.courier.registry.WatchEvent;
import dev.courier.registry.raft.internal.RegistryStateMachine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** All the watches of one client share one watch stream: one parked long poll on the member, not one per watch. */
class WatchStreamTest {

    @TempDir
    Path dir;

    @Test
    void twoHundredWatchesOfFiftyServicesKeepAtMostTwoPollsParkedAndEachSeesOnlyItsService() throws Exception {
        try (RaftTestCluster cluster = new RaftTestCluster(1, dir, 10_000).startAll();
                Registry consumer = Registries.connect(cluster.url());
                Registry provider = Registries.connect(cluster.url())) {
            RegistryStateMachine member =
                    cluster.running.get(cluster.awaitLeader()).stateMachine();
            List<List<WatchEvent>> seen = new ArrayList<>();
            for (int w = 0; w < 200; w++) {
                List<WatchEvent> events = new CopyOnWriteArrayList<>();
                seen.add(events);
                consumer.watch(key(w % 50), events::add);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> seen.stream().allMatch(e -> !e.isEmpty()));
            // a poll per watch would park 200 here
            await().atMost(Duration.ofSeconds(30)).until(() -> member.parkedQueries() >= 1);
            assertThat(member.parkedQueries()).isBetween(1, 2);

            ServiceInstance one = ServiceInstance.of(key(7), "10.7.0.1", 7000);
            provider.register(one, Duration.ofSeconds(30));
            for (int w = 0; w < 200; w++) {
                List<WatchEvent> events = seen.get(w);
                if (w % 50 == 7) {
                    await().atMost(Duration.ofSeconds(30)).until(() -> events.size() == 2);
                    assertThat(events.get(0).type()).isEqualTo(WatchEvent.Type.SNAPSHOT);
                    assertThat(events.get(1).type()).isEqualTo(WatchEvent.Type.ADDED);
                    assertThat(events.get(1).instances()).containsExactly(one);
                }
            }
            // a watch opened later starts from what the stream knows and follows it
            List<WatchEvent> late = new CopyOnWriteArrayList<>();
            consumer.watch(key(7), late::add);
            await().atMost(Duration.ofSeconds(30)).until(() -> !late.isEmpty());
            assertThat(late.get(0).instances()).containsExactly(one);
            ServiceInstance two = ServiceInstance.of(key(7), "10.7.0.2", 7000);
            provider.register(two, Duration.ofSeconds(30));
            await().atMost(Duration.ofSeconds(30)).until(() -> late.size() == 2);
            assertThat(late.get(1).instances()).containsExactlyInAnyOrder(one, two);
            for (int w = 0; w < 200; w++) {
                if (w % 50 != 7) {
                    assertThat(seen.get(w)).as("watch %d", w).hasSize(1);
                }
            }
        }
    }

    private static ServiceKey key(int n) {
        return ServiceKey.of("dev.courier.test.Stream" + n);
    }
}
