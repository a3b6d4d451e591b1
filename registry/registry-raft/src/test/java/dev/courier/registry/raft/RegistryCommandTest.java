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
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class RegistryCommandTest {

    @TempDir
    Path dir;

    private static String run(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            int code = new CommandLine(new RegistryCommand()).execute(args);
            assertThat(code).isZero();
        } finally {
            System.setOut(original);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void statusAndLsWorkAgainstZookeeper() throws Exception {
        try (org.apache.curator.test.TestingServer zk = new org.apache.curator.test.TestingServer(true)) {
            String url = "zookeeper://" + zk.getConnectString() + "?root=/cli";
            try (Registry provider = Registries.connect(url)) {
                ServiceKey key = new ServiceKey("dev.courier.test.ZkCli", "2.0", "blue");
                provider.register(ServiceInstance.of(key, "10.6.0.1", 9090));
                String status = run("status", "--registry", url);
                assertThat(status)
                        .containsPattern("MEMBER id=\\S+ address=" + zk.getConnectString()
                                + " role=LEADER term=\\d+ applied=\\d+");
                assertThat(status).containsPattern("INSTANCES count=1 revision=\\d+");
                assertThat(run("ls", "--registry", url, "blue/dev.courier.test.ZkCli:2.0"))
                        .contains("SERVICE blue/dev.courier.test.ZkCli:2.0 instances=1")
                        .contains("INSTANCE 10.6.0.1:9090");
            }
        }
    }

    @Test
    void statusNamesEveryMemberAndLsListsInstances() throws Exception {
        try (RaftTestCluster cluster = new RaftTestCluster(3, dir, 1000).startAll();
                Registry provider = Registries.connect(cluster.url())) {
            String leader = cluster.awaitLeader();
            ServiceKey key = new ServiceKey("dev.courier.test.Cli", "1.0", "default");
            provider.register(ServiceInstance.of(key, "10.3.0.1", 8080), Duration.ofSeconds(10));
            cluster.awaitEveryMemberAt(cluster.leaderRevision());
            String victim = cluster.ids().stream()
                    .filter(id -> !id.equals(leader))
                    .findFirst()
                    .orElseThrow();
            cluster.stop(victim);

            // Leadership may move between the two survivors while the command runs (an election after a
            // pause of the host); what must hold is that one of them leads and the stopped one is unreachable.
            java.util.List<String> survivors =
                    cluster.ids().stream().filter(id -> !id.equals(victim)).toList();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                String status = run("status", "--registry", cluster.url());
                assertThat(status)
                        .contains("MEMBER id=" + victim + " address="
                                + cluster.peers().members().get(victim) + " role=UNREACHABLE");
                assertThat(survivors.stream()
                                .filter(id -> status.contains("MEMBER id=" + id + " address="
                                        + cluster.peers().members().get(id) + " role=LEADER term=")))
                        .hasSize(1);
                assertThat(survivors.stream()
                                .filter(id -> status.contains("MEMBER id=" + id + " address="
                                        + cluster.peers().members().get(id) + " role=FOLLOWER term=")))
                        .hasSize(1);
                assertThat(status).containsPattern("INSTANCES count=1 revision=\\d+");
            });
            // each survivor's line carries its applied and commit index: the registration and the lease
            // grant are in the log, and nothing is applied before it is committed
            assertThat(RaftMemberStatus.of(cluster.url()))
                    .filteredOn(RaftMemberStatus::reachable)
                    .hasSize(2)
                    .allSatisfy(m -> {
                        assertThat(m.applied()).isGreaterThanOrEqualTo(2);
                        assertThat(m.commit()).isGreaterThanOrEqualTo(m.applied());
                        assertThat(m.line()).endsWith(" applied=" + m.applied() + " commit=" + m.commit());
                    });

            String ls = run("ls", "--registry", cluster.url());
            assertThat(ls)
                    .contains("SERVICE default/dev.courier.test.Cli:1.0 instances=1")
                    .contains("INSTANCE 10.3.0.1:8080");
        }
    }

    @Test
    void aMemberBeyondLoopbackIsRefusedWithoutInsecure() {
        Path data = dir.resolve("data");
        int code = new CommandLine(new RegistryCommand())
                .execute("--id", "n1", "--peers", "n1=10.255.255.1:9701", "--data-dir", data.toString());
        assertThat(code).isEqualTo(2);
        assertThat(data).as("nothing started").doesNotExist();
    }

    @Test
    void authTokensAndWritersGoTogether() {
        Path data = dir.resolve("data");
        int code = new CommandLine(new RegistryCommand())
                .execute("--id", "n1", "--data-dir", data.toString(), "--readers", "viewer");
        assertThat(code).isEqualTo(2);
        assertThat(data).as("nothing started").doesNotExist();
    }

    @Test
    void tlsFlagsGoTogether() {
        Path data = dir.resolve("data");
        int code = new CommandLine(new RegistryCommand())
                .execute(
                        "--id",
                        "n1",
                        "--data-dir",
                        data.toString(),
                        "--tls-cert",
                        dir.resolve("n1.pem").toString());
        assertThat(code).isEqualTo(2);
        assertThat(data).doesNotExist();
    }

    @Test
    void aMemberListensOnlyOnItsOwnAddress() throws Exception {
        try (RaftTestCluster cluster = new RaftTestCluster(1, dir, 1000).startAll()) {
            String address = cluster.peers().members().values().iterator().next();
            assertThat(address).startsWith("127.0.0.1:");
            int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
            try (Socket own = new Socket()) {
                own.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            }
            assertThatThrownBy(() -> {
                        try (Socket other = new Socket()) {
                            other.connect(new InetSocketAddress("127.0.0.2", port), 5000);
                        }
                    })
                    .as("another loopback address: not bound")
                    .isInstanceOf(ConnectException.class);
        }
    }

    @Test
    void theInitialClusterStateIsNewOrExistingAndTheIdIsAMember() {
        Path data = dir.resolve("data");
        assertThat(new CommandLine(new RegistryCommand())
                        .execute(
                                "--id",
                                "n1",
                                "--initial-cluster",
                                "n1=127.0.0.1:9701",
                                "--initial-cluster-state",
                                "joining",
                                "--data-dir",
                                data.toString()))
                .isEqualTo(2);
        assertThat(new CommandLine(new RegistryCommand())
                        .execute("--id", "n4", "--initial-cluster", "n1=127.0.0.1:9701", "--data-dir", data.toString()))
                .isEqualTo(2);
        assertThat(data).as("nothing started").doesNotExist();
    }

    @Test
    void theElectionTimeoutIsARangeOfMillisecondsThatMembersPassToRatis() {
        assertThat(RaftRegistryServer.electionTimeout("150-300"))
                .containsEntry("raft.server.rpc.timeout.min", "150ms")
                .containsEntry("raft.server.rpc.timeout.max", "300ms")
                .hasSize(2);
        assertThat(RaftRegistryServer.electionTimeout(RaftRegistryServer.DEFAULT_ELECTION_TIMEOUT))
                .containsEntry("raft.server.rpc.timeout.min", "150ms")
                .containsEntry("raft.server.rpc.timeout.max", "300ms");
        Path data = dir.resolve("data");
        for (String bad : new String[] {"300", "600-300", "10-20", "150-70000", "fast"}) {
            assertThat(new CommandLine(new RegistryCommand())
                            .execute("--id", "n1", "--data-dir", data.toString(), "--election-timeout", bad))
                    .as(bad)
                    .isEqualTo(2);
        }
        assertThat(data).as("nothing started").doesNotExist();
    }

    @Test
    void aMemberListensOnItsListenAddressAndAdvertisesItsPeerAddress() throws Exception {
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        RaftPeers advertised = RaftPeers.parse("n1=127.0.0.2:" + port);
        try (RaftRegistryServer member = new RaftRegistryServer(
                        "n1",
                        advertised,
                        dir.resolve("n1"),
                        1000,
                        java.util.Map.of(),
                        null,
                        RegistryAccess.open(),
                        RaftRegistryServer.Bootstrap.NEW,
                        "127.0.0.1:" + port)
                .start()) {
            await().atMost(java.time.Duration.ofSeconds(30)).until(member::isLeader);
            try (Socket listening = new Socket()) {
                listening.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            }
            assertThatThrownBy(() -> {
                        try (Socket other = new Socket()) {
                            other.connect(new InetSocketAddress("127.0.0.2", port), 5000);
                        }
                    })
                    .as("the advertised address is not where it listens")
                    .isInstanceOf(ConnectException.class);
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            java.io.PrintStream original = System.out;
            System.setOut(new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8));
            try {
                assertThat(new CommandLine(new RegistryCommand())
                                .execute("member", "list", "--registry", "raft://127.0.0.1:" + port))
                        .isZero();
            } finally {
                System.setOut(original);
            }
            assertThat(bytes.toString(java.nio.charset.StandardCharsets.UTF_8))
                    .contains("MEMBER id=n1 address=127.0.0.2:" + port);
        }
    }
}
