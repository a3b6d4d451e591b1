package dev.courier.registry.raft;

import dev.courier.registry.Registries;
import dev.courier.registry.Registry;
import dev.courier.registry.ServiceInstance;
import dev.courier.registry.ServiceKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Raft group's membership changed at run time with {@code courier registry member}: three members
 * grow to five (two join a running cluster) and shrink to three (two of the first leave), under a stream
 * of registrations, none of which is lost.
 */
class RaftMembershipTest {

    private static final ServiceKey KEY = ServiceKey.of("dev.courier.test.Membership");

    @TempDir
    Path dir;

    @Test
    void growsFromThreeToFiveAndShrinksToThreeUnderLoadLosingNoRegistration() throws Exception {
        try (RaftTestCluster cluster = new RaftTestCluster(5, dir, 200)) {
            Map<String, String> all = cluster.peers().members();
            Map<String, String> first = startFirstThree(cluster);
            String url = cluster.url(); // clients know all five addresses; two answer nothing at first
            String firstUrl = "raft://" + String.join(",", first.values());
            assertThat(members(firstUrl)).containsExactlyInAnyOrder("n1", "n2", "n3");

            try (Registry provider = Registries.connect(url);
                    Registry consumer = Registries.connect(url)) {
                Set<ServiceInstance> acknowledged = ConcurrentHashMap.newKeySet();
                AtomicBoolean stop = new AtomicBoolean();
                Thread stream = new Thread(
                        () -> {
                            for (int i = 0; !stop.get() && i < 60_000; i++) {
                                ServiceInstance instance = ServiceInstance.of(KEY, "10.8.0.1", 1000 + i);
                                try {
                                    provider.register(instance, Duration.ofSeconds(30));
                                    acknowledged.add(instance);
                                } catch (RuntimeException e) {
                                    // not acknowledged: may or may not be registered
                                }
                            }
                        },
                        "registration-stream");
                stream.start();
                try {
                    await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() >= 20);

                    // two members join the running cluster: started empty, then added
                    for (String id : List.of("n4", "n5")) {
                        cluster.start(id, cluster.peers(), RaftRegistryServer.Bootstrap.EXISTING);
                        int before = acknowledged.size();
                        assertThat(cli("member", "add", "--registry", firstUrl, "--id", id, "--address", all.get(id)))
                                .isZero();
                        await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() > before + 10);
                    }
                    assertThat(members(firstUrl)).containsExactlyInAnyOrder("n1", "n2", "n3", "n4", "n5");
                    long revision = cluster.leaderRevision();
                    await().atMost(Duration.ofSeconds(60))
                            .until(() -> cluster.running.get("n4").countAndRevision()[1] >= revision
                                    && cluster.running.get("n5").countAndRevision()[1] >= revision);

                    // two of the first three leave (the leader among them, if it is); then they stop
                    String lastUrl = "raft://" + all.get("n3") + "," + all.get("n4") + "," + all.get("n5");
                    for (String id : List.of("n1", "n2")) {
                        int before = acknowledged.size();
                        assertThat(cli("member", "remove", "--registry", lastUrl, "--id", id))
                                .isZero();
                        cluster.stop(id);
                        await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() > before + 10);
                    }
                    assertThat(members(lastUrl)).containsExactlyInAnyOrder("n3", "n4", "n5");
                } finally {
                    stop.set(true);
                    stream.join();
                }
                await().atMost(Duration.ofSeconds(30))
                        .ignoreExceptions()
                        .untilAsserted(() -> assertThat(
                                        new HashSet<>(consumer.list(KEY).instances()))
                                .containsAll(acknowledged));
                System.out.printf(
                        "[raft] membership 3 -> 5 -> 3 under load: %d registrations acknowledged, all listed%n",
                        acknowledged.size());
            }
        }
    }

    /**
     * A member that joined with {@code existing} is stopped, misses writes (and, with a snapshot every
     * 20 entries, the log it would need), and is started again with the same flags on its data
     * directory: it comes back as the same voting member and catches up.
     */
    @Test
    void aMemberThatJoinedRestartsOnItsDataAsAVotingMember() throws Exception {
        try (RaftTestCluster cluster = new RaftTestCluster(4, dir, 20)) {
            Map<String, String> all = cluster.peers().members();
            Map<String, String> first = startFirstThree(cluster);
            String firstUrl = "raft://" + String.join(",", first.values());
            cluster.start("n4", cluster.peers(), RaftRegistryServer.Bootstrap.EXISTING);
            assertThat(cli("member", "add", "--registry", firstUrl, "--id", "n4", "--address", all.get("n4")))
                    .isZero();

            try (Registry provider = Registries.connect(cluster.url());
                    Registry consumer = Registries.connect(cluster.url())) {
                Set<ServiceInstance> registered = new HashSet<>();
                for (int i = 0; i < 30; i++) {
                    registered.add(register(provider, 2000 + i));
                }
                long joined = cluster.leaderRevision();
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> cluster.running.get("n4").countAndRevision()[1] >= joined);

                cluster.stop("n4");
                for (int i = 0; i < 60; i++) { // past at least two snapshots: the leader's log no longer reaches back
                    registered.add(register(provider, 3000 + i));
                }
                cluster.start("n4", cluster.peers(), RaftRegistryServer.Bootstrap.EXISTING);

                long missed = cluster.leaderRevision();
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> cluster.running.get("n4").countAndRevision()[1] >= missed);
                assertThat(cluster.running.get("n4").countAndRevision()[0]).isEqualTo(registered.size());
                assertThat(members(firstUrl)).containsExactlyInAnyOrder("n1", "n2", "n3", "n4");

                // of four members, three make a quorum: with one of the first three gone, n4's vote and
                // acknowledgement are needed for a leader and a write
                String leader = cluster.awaitLeader();
                cluster.stop(leader.equals("n4") ? "n1" : leader);
                registered.add(register(provider, 4000));
                await().atMost(Duration.ofSeconds(30))
                        .ignoreExceptions()
                        .untilAsserted(() -> assertThat(
                                        new HashSet<>(consumer.list(KEY).instances()))
                                .containsExactlyInAnyOrderElementsOf(registered));
            }
        }
    }

    private static ServiceInstance register(Registry provider, int port) {
        ServiceInstance instance = ServiceInstance.of(KEY, "10.8.0.2", port);
        provider.register(instance, Duration.ofSeconds(60));
        return instance;
    }

    @Test
    void memberCommandsRefuseWhatCannotBe() throws Exception {
        try (RaftTestCluster cluster = new RaftTestCluster(1, dir, 200).startAll()) {
            cluster.awaitLeader();
            String url = cluster.url();
            assertThat(cli("member", "add", "--registry", url, "--id", "n1", "--address", "127.0.0.1:1"))
                    .isEqualTo(2);
            assertThat(cli("member", "remove", "--registry", url, "--id", "n9")).isEqualTo(2);
            assertThat(cli("member", "remove", "--registry", url, "--id", "n1")).isEqualTo(2);
            assertThat(members(url)).containsExactly("n1");
        }
    }

    /** Starts n1, n2 and n3 of {@code cluster} as a new cluster of three, and answers their addresses. */
    private static Map<String, String> startFirstThree(RaftTestCluster cluster) throws java.io.IOException {
        Map<String, String> first = new LinkedHashMap<>();
        List.of("n1", "n2", "n3")
                .forEach(id -> first.put(id, cluster.peers().members().get(id)));
        for (String id : first.keySet()) {
            cluster.start(id, new RaftPeers(first), RaftRegistryServer.Bootstrap.NEW);
        }
        cluster.awaitLeader();
        return first;
    }

    private static int cli(String... args) {
        return new CommandLine(new RegistryCommand()).execute(args);
    }

    private static List<String> members(String url) {
        PrintStream original = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            assertThat(cli("member", "list", "--registry", url)).isZero();
        } finally {
            System.setOut(original);
        }
        return bytes.toString(StandardCharsets.UTF_8)
                .lines()
                .filter(l -> l.startsWith("MEMBER id="))
                .map(l -> l.substring("MEMBER id=".length(), l.indexOf(' ', "MEMBER id=".length())))
                .toList();
    }
}
