package dev.courier.registry.raft;

import dev.courier.registry.Registries;
import dev.courier.registry.Registry;
import dev.courier.registry.RegistryContractTest;
import dev.courier.registry.ServiceKey;
import dev.courier.registry.internal.LeasedRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The contract on a 3-member cluster in this JVM, shared by the tests of this class (a cluster per test
 * costs a minute on a busy machine) and reset between them: before each test every member is running
 * again, there is a leader, and no instance is left from an earlier test. "Restart" stops and restarts
 * every member on its data.
 */
class RaftRegistryContractTest extends RegistryContractTest {

    private static RaftTestCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        Path dir = Files.createTempDirectory("courier-raft-contract");
        cluster = new RaftTestCluster(3, dir, 400).startAll();
        cluster.awaitLeader();
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @BeforeEach
    void resetCluster() throws Exception {
        for (String id : cluster.ids()) {
            if (!cluster.running.containsKey(id)) {
                cluster.start(id);
            }
        }
        cluster.awaitLeader();
        try (Registry registry = connect()) {
            // crashed clients' leases run out within their TTL; everything else was deregistered on close
            await().atMost(TTL.plusSeconds(10)).untilAsserted(() -> {
                for (ServiceKey key : registry.services()) {
                    assertThat(registry.list(key).instances())
                            .as("left over in %s", key)
                            .isEmpty();
                }
            });
        }
    }

    @Override
    protected Registry connect() {
        return Registries.connect(cluster.url());
    }

    @Override
    protected void crash(Registry client) {
        ((LeasedRegistry) client).simulateCrash();
    }

    @Override
    protected void restartRegistryOrExpireSession(Registry client) throws Exception {
        for (String id : cluster.ids()) {
            cluster.stop(id);
        }
        for (String id : cluster.ids()) {
            cluster.start(id);
        }
        cluster.awaitLeader();
    }

    @Override
    protected String backendName() {
        return "raft";
    }
}
