package dev.courier.registry.raft;

import dev.courier.admin.AdminServer;
import dev.courier.registry.ServiceInstance;
import dev.courier.registry.ServiceKey;
import dev.courier.registry.internal.ChangeBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A registry member's admin port: its metrics after known writes, health and status. */
class RaftRegistryAdminTest {

    private static final ServiceKey KEY = ServiceKey.of("dev.courier.test.Admin");

    @TempDir
    Path dir;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private String get(AdminServer admin, String path) throws Exception {
        return http.send(
                        HttpRequest.newBuilder(URI.create(admin.url() + path))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private int status(AdminServer admin, String path) throws Exception {
        return http.send(
                        HttpRequest.newBuilder(URI.create(admin.url() + path))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    /** The value of the series {@code name{labels}} in a scrape, or NaN when absent. */
    private static double value(String scrape, String name, String labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name + "{" + labels + "}") + " (\\S+)$")
                .matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    @Test
    void metricsAfterKnownWritesShowInstancesLeasesWatchesAndTheRaftState() throws Exception {
        try (RaftTestCluster cluster = new RaftTestCluster(1, dir, 10_000).startAll();
                RaftLeaseBackend backend = new RaftLeaseBackend(cluster.peers())) {
            String id = cluster.awaitLeader();
            RaftRegistryServer member = cluster.running.get(id);
            try (AdminServer admin = RegistryCommand.startAdmin(member, "127.0.0.1", 0)) {
                long lease = backend.grant(Duration.ofSeconds(60));
                backend.put(lease, ServiceInstance.of(KEY, "10.6.0.1", 80));
                backend.put(lease, ServiceInstance.of(KEY, "10.6.0.2", 80));
                long revision = backend.snapshot(KEY).revision();
                CompletableFuture<ChangeBatch> watch = backend.changesSince(KEY, revision, Duration.ofMinutes(1));
                String labels = "member=\"" + id + "\"";
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> value(get(admin, "/metrics"), "courier_registry_watches", labels) == 1);

                String scrape = get(admin, "/metrics");
                assertThat(value(scrape, "courier_registry_instances", labels)).isEqualTo(2);
                assertThat(value(scrape, "courier_registry_leases", labels)).isEqualTo(1);
                assertThat(value(scrape, "courier_raft_leader", labels)).isEqualTo(1);
                assertThat(value(scrape, "courier_raft_role", labels + ",role=\"leader\""))
                        .isEqualTo(1);
                assertThat(value(scrape, "courier_raft_role", labels + ",role=\"follower\""))
                        .isZero();
                assertThat(value(scrape, "courier_raft_term", labels)).isEqualTo(member.currentTerm());
                // grant and two puts at least; the leader's own entries (configuration, no-op) may add more
                assertThat(value(scrape, "courier_registry_apply_seconds_count", labels))
                        .isGreaterThanOrEqualTo(3);
                double applied = value(scrape, "courier_raft_applied_index", labels);
                assertThat(applied)
                        .isGreaterThanOrEqualTo(3)
                        .isLessThanOrEqualTo(value(scrape, "courier_raft_commit_index", labels));
                assertThat(scrape).contains("jvm_memory_used_bytes");

                assertThat(status(admin, "/live")).isEqualTo(200);
                assertThat(status(admin, "/ready")).isEqualTo(200);
                assertThat(get(admin, "/api/v1/status"))
                        .contains("\"id\":\"" + id + "\"", "\"role\":\"LEADER\"", "\"instances\":2");

                backend.put(lease, ServiceInstance.of(KEY, "10.6.0.3", 80));
                assertThat(watch.get().changes()).hasSize(1);
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> value(get(admin, "/metrics"), "courier_registry_instances", labels) == 3);
            }
        }
    }

    @Test
    void aMemberWithoutALeaderIsLiveButNotReady() throws Exception {
        try (RaftTestCluster cluster = new RaftTestCluster(3, dir, 10_000)) {
            String alone = cluster.peers().members().keySet().iterator().next();
            cluster.start(alone);
            try (AdminServer admin = RegistryCommand.startAdmin(cluster.running.get(alone), "127.0.0.1", 0)) {
                assertThat(status(admin, "/live")).isEqualTo(200);
                assertThat(status(admin, "/ready")).isEqualTo(503);
                assertThat(value(get(admin, "/metrics"), "courier_raft_leader", "member=\"" + alone + "\""))
                        .isZero();
            }
        }
    }
}
