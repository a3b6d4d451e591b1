package dev.courier.registry.raft;

import dev.courier.registry.Registries;
import dev.courier.registry.Registry;
import dev.courier.registry.RegistryAccessDeniedException;
import dev.courier.registry.ServiceInstance;
import dev.courier.registry.ServiceKey;
import dev.courier.registry.raft.internal.Command;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.util.TimeDuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Per-principal rules on a registry cluster: writers write, readers read, everyone else is refused
 * typed; the token never reaches the log; only the leader expires leases.
 */
class RaftRegistryAccessTest {

    private static final String SHOP_TOKEN = "shop-secret-7f3a";
    private static final String VIEWER_TOKEN = "viewer-secret-91c2";
    private static final ServiceKey KEY = new ServiceKey("dev.courier.test.Guarded", "1.0", "default");

    @TempDir
    Path dir;

    private RaftTestCluster cluster;
    private final List<AutoCloseable> clients = new ArrayList<>();

    @BeforeEach
    void startCluster() throws IOException {
        cluster = new RaftTestCluster(1, dir, 1000);
        cluster.access = new RegistryAccess(
                Map.of(SHOP_TOKEN, "shop", VIEWER_TOKEN, "viewer"), Set.of("shop"), Set.of("shop", "viewer"));
        cluster.startAll();
        cluster.awaitLeader();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : clients) {
            c.close();
        }
        cluster.close();
    }

    private Registry as(String token) {
        Registry r = Registries.connect(cluster.url() + (token == null ? "" : "?token=" + token));
        clients.add(r);
        return r;
    }

    @Test
    void writersWriteReadersReadAndEveryoneElseIsRefusedTyped() {
        Registry shop = as(SHOP_TOKEN);
        ServiceInstance a = ServiceInstance.of(KEY, "10.9.0.1", 8080);
        shop.register(a, Duration.ofSeconds(10));
        assertThat(shop.list(KEY).instances()).containsExactly(a);

        Registry viewer = as(VIEWER_TOKEN);
        assertThat(viewer.list(KEY).instances()).containsExactly(a);
        assertThatThrownBy(() -> viewer.register(ServiceInstance.of(KEY, "10.9.0.2", 8080), Duration.ofSeconds(10)))
                .isInstanceOf(RegistryAccessDeniedException.class)
                .hasMessageContaining("Principal 'viewer' may not write to the registry");

        Registry anonymous = as(null);
        assertThatThrownBy(() -> anonymous.register(ServiceInstance.of(KEY, "10.9.0.3", 8080), Duration.ofSeconds(10)))
                .isInstanceOf(RegistryAccessDeniedException.class)
                .hasMessageContaining("An anonymous caller may not write");
        Registry forged = as("not-a-token");
        long readsStarted = System.nanoTime();
        assertThatThrownBy(() -> anonymous.list(KEY))
                .isInstanceOf(RegistryAccessDeniedException.class)
                .hasMessageContaining("may not read");
        assertThatThrownBy(() -> forged.list(KEY))
                .isInstanceOf(RegistryAccessDeniedException.class)
                .hasMessageContaining("the token is not known");
        // a refused read is the query's answer, not a failed call the client retries until its failover
        // budget runs out (each took the whole budget when the member failed the query with a plain IOException)
        assertThat(Duration.ofNanos(System.nanoTime() - readsStarted))
                .isLessThan(RaftLeaseBackend.FAILOVER_BUDGET.dividedBy(2));

        assertThat(shop.list(KEY).instances()).containsExactly(a);
    }

    @Test
    void theTokenIsTakenOffTheEntryBeforeItEntersTheLog() throws Exception {
        Registry shop = as(SHOP_TOKEN);
        shop.register(ServiceInstance.of(KEY, "10.77.0.1", 8080), Duration.ofSeconds(10));

        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(
                        () -> assertThat(filesContaining("10.77.0.1")).isNotEmpty()); // the entry is in the log on disk
        assertThat(filesContaining(SHOP_TOKEN)).isEmpty();
    }

    @Test
    void onlyTheLeaderExpiresLeasesYetLeasesStillExpire() throws Exception {
        try (RaftLeaseBackend backend = new RaftLeaseBackend(cluster.peers(), null, SHOP_TOKEN)) {
            long lease = backend.grant(Duration.ofSeconds(30));
            backend.put(lease, ServiceInstance.of(KEY, "10.9.1.1", 8080));

            // a client, even a writer, cannot expire someone's lease: the entry is refused, the lease stays
            try (RaftClient raw = RaftClient.newBuilder()
                    .setProperties(new RaftProperties())
                    .setRaftGroup(cluster.peers().group())
                    .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(
                            3, TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
                    .build()) {
                assertThatThrownBy(() -> raw.io().send(Command.authenticated(SHOP_TOKEN, Command.expire(lease, 0, 0))))
                        .hasMessageContaining("only the leader expires leases");
                assertThatThrownBy(() -> raw.io().send(Command.expire(lease, 0, 0)))
                        .hasMessageContaining("only the leader expires leases");
            }
            assertThat(backend.keepAlive(lease)).isTrue();
            assertThat(backend.snapshot(KEY).instances()).hasSize(1);

            // a lease left to lapse is still expired by the leader itself
            long shortLease = backend.grant(Duration.ofMillis(500));
            backend.put(shortLease, ServiceInstance.of(KEY, "10.9.1.2", 8080));
            await().atMost(Duration.ofSeconds(15))
                    .untilAsserted(() -> assertThat(backend.snapshot(KEY).instances())
                            .extracting(ServiceInstance::host)
                            .containsExactly("10.9.1.1"));
        }
    }

    private List<Path> filesContaining(String text) throws IOException {
        byte[] needle = text.getBytes(StandardCharsets.UTF_8);
        List<Path> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                byte[] bytes = Files.readAllBytes(f);
                if (indexOf(bytes, needle) >= 0) {
                    found.add(f);
                }
            }
        }
        return found;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
