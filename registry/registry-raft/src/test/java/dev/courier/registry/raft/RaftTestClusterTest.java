package dev.courier.registry.raft;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The test cluster itself: distinct ports, and a port taken before the start is a retry, not a dead JVM. */
class RaftTestClusterTest {

    @TempDir
    Path dir;

    private static int port(String address) {
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }

    @Test
    void membersGetDistinctPorts() throws Exception {
        for (int i = 0; i < 20; i++) {
            RaftPeers peers = new RaftTestCluster(5, dir.resolve("c" + i), 100).peers();
            Set<Integer> ports = new HashSet<>();
            peers.members().values().forEach(a -> ports.add(port(a)));
            assertThat(ports).as("%s", peers.members()).hasSize(5);
        }
    }

    @Test
    void aMemberPortTakenBeforeTheStartIsRetriedOnFreshPorts() throws Exception {
        RaftTestCluster cluster = new RaftTestCluster(3, dir, 100);
        int taken = port(cluster.peers().members().get("n2"));
        // Ratis ends the JVM when it cannot bind; without the cluster's guard this test run would die here
        try (ServerSocket squatter = new ServerSocket(taken, 1, InetAddress.getLoopbackAddress());
                RaftTestCluster started = cluster.startAll()) {
            assertThat(squatter.isBound()).isTrue();
            assertThat(started.peers().members().values())
                    .extracting(RaftTestClusterTest::port)
                    .doesNotContain(taken);
            assertThat(started.awaitLeader()).isNotNull();
        }
    }
}
