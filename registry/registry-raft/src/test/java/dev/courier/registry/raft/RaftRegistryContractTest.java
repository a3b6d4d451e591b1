package dev.courier.registry.raft;

import dev.courier.registry.Registries;
import dev.courier.registry.Registry;
import dev.courier.registry.RegistryContractTest;
import dev.courier.registry.internal.LeasedRegistry;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract on a 3-member cluster in this JVM, a fresh one for every test; "restart" stops and
 * restarts every member on its data.
 */
class RaftRegistryContractTest extends RegistryContractTest {

    @TempDir
    Path dir;

    private RaftTestCluster cluster;

    @BeforeEach
    void startCluster() throws Exception {
        cluster = new RaftTestCluster(3, dir, 400).startAll();
        cluster.awaitLeader();
    }

    @AfterEach
    void stopCluster() {
        cluster.close();
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
