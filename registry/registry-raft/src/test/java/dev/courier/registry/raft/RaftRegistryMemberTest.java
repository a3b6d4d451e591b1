package dev.courier.registry.raft;

import dev.courier.registry.ServiceInstance;
import dev.courier.registry.ServiceKey;
import dev.courier.registry.internal.ChangeBatch;
import dev.courier.registry.raft.internal.RegistryStateMachine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What one registry member keeps: parked watch queries and snapshot files. */
class RaftRegistryMemberTest {

    private static final ServiceKey KEY = ServiceKey.of("dev.courier.test.Member");

    @TempDir
    Path dir;

    @Test
    void anAnsweredWatchLeavesNoTimeoutBehind() throws Exception {
        try (RaftTestCluster cluster = new RaftTestCluster(1, dir, 10_000).startAll();
                RaftLeaseBackend backend = new RaftLeaseBackend(cluster.peers())) {
            RegistryStateMachine member =
                    cluster.running.get(cluster.awaitLeader()).stateMachine();
            long revision = backend.snapshot(KEY).revision();
            List<CompletableFuture<ChangeBatch>> watches = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                watches.add(backend.changesSince(KEY, revision, Duration.ofMinutes(5)));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> member.parkedQueries() == 50);
            assertThat(member.queryTimeoutsPending()).isEqualTo(50);

            backend.put(backend.grant(Duration.ofSeconds(30)), ServiceInstance.of(KEY, "10.5.0.1", 80));
            for (CompletableFuture<ChangeBatch> w : watches) {
                assertThat(w.get().changes()).hasSize(1);
            }
            assertThat(member.parkedQueries()).isZero();
            assertThat(member.queryTimeoutsPending()).isZero(); // not 50 tasks firing in five minutes
        }
    }

    @Test
    void aSnapshotIsInPlaceWithItsDigestAndNoTemporaryFileAndIsLoadedOnRestart() throws Exception {
        try (RaftTestCluster cluster = new RaftTestCluster(1, dir, 10).startAll();
                RaftLeaseBackend backend = new RaftLeaseBackend(cluster.peers())) {
            String id = cluster.awaitLeader();
            long lease = backend.grant(Duration.ofSeconds(60));
            for (int i = 0; i < 30; i++) {
                backend.put(lease, ServiceInstance.of(KEY, "10.5.1.1", 1000 + i));
            }
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> !snapshots(dir, "").isEmpty());
            List<Path> snapshots = snapshots(dir, "");
            for (Path snapshot : snapshots) {
                assertThat(snapshot.resolveSibling(snapshot.getFileName() + ".md5"))
                        .exists();
            }
            assertThat(snapshots(dir, ".tmp")).isEmpty();

            long[] before = cluster.running.get(id).countAndRevision();
            cluster.stop(id);
            cluster.start(id);
            cluster.awaitLeader();
            assertThat(cluster.running.get(id).countAndRevision()).containsExactly(before);
            assertThat(backend.snapshot(KEY).instances()).hasSize(30);
        }
    }

    /** The snapshot files under {@code root} whose names end with {@code suffix} (none: the snapshots themselves). */
    private static List<Path> snapshots(Path root, String suffix) throws Exception {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> {
                        String name = p.getFileName().toString();
                        return name.startsWith("snapshot.")
                                && (suffix.isEmpty() ? name.matches("snapshot\\.\\d+_\\d+") : name.endsWith(suffix));
                    })
                    .toList();
        }
    }
}
