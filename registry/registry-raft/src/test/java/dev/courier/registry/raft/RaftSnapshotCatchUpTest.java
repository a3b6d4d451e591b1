package dev.courier.registry.raft;

import dev.courier.registry.Registries;
import dev.courier.registry.Registry;
import dev.courier.registry.ServiceInstance;
import dev.courier.registry.ServiceKey;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A member that missed more entries than the others keep in their logs catches up from a snapshot. */
class RaftSnapshotCatchUpTest {

    private static final ServiceKey KEY = ServiceKey.of("dev.courier.test.Snapshot");

    @TempDir
    Path dir;

    @Test
    void aFollowerBehindThePurgedLogIsSentASnapshot() throws Exception {
        RaftTestCluster unstarted = new RaftTestCluster(3, dir, 20);
        // small log segments and no purge gap, so the leader's log really is purged up to its snapshot
        unstarted.ratisProperties.put(RaftServerConfigKeys.Log.SEGMENT_SIZE_MAX_KEY, "4KB");
        unstarted.ratisProperties.put(RaftServerConfigKeys.Log.PURGE_GAP_KEY, "1");
        try (RaftTestCluster cluster = unstarted.startAll();
                Registry provider = Registries.connect(cluster.url())) {
            String leader = cluster.awaitLeader();
            String lagging = cluster.ids().stream()
                    .filter(id -> !id.equals(leader))
                    .findFirst()
                    .orElseThrow();
            provider.register(ServiceInstance.of(KEY, "10.5.0.1", 1), Duration.ofSeconds(30));
            // no survivor with an empty log: Ratis counts no vote from one, so an election on a loaded host
            // (the leader missing a heartbeat) could not be won while the lagging member is down
            cluster.awaitEveryMemberAt(cluster.leaderRevision());
            cluster.stop(lagging);

            for (int i = 2; i <= 150; i++) {
                provider.register(ServiceInstance.of(KEY, "10.5.0.1", i), Duration.ofSeconds(30));
            }
            long[] expected = cluster.running.get(cluster.awaitLeader()).countAndRevision();
            assertThat(expected[0]).isEqualTo(150);

            cluster.start(lagging);
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(cluster.running.get(lagging).countAndRevision())
                            .containsExactly(expected));
            assertThat(snapshotFiles(dir.resolve(lagging))).isPositive();
            assertThat(cluster.running.get(lagging).snapshotsInstalled()).isPositive();
        }
    }

    private static long snapshotFiles(Path memberDir) throws Exception {
        try (Stream<Path> files = Files.walk(memberDir)) {
            return files.filter(p -> p.getFileName().toString().startsWith("snapshot."))
                    .count();
        }
    }
}
