package dev.courier.registry.raft;

import dev.courier.registry.Registries;
import dev.courier.registry.Registry;
import dev.courier.registry.coordination.Coordination;
import dev.courier.registry.coordination.CoordinationContractTest;
import dev.courier.registry.coordination.internal.StandardCoordination;
import dev.courier.registry.internal.LeaseCoordinationBackend;
import dev.courier.registry.internal.LeasedRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The coordination contract on a 3-member cluster in this JVM, shared by the tests of this class. The
 * contended-lock test also kills the leader (and starts it again on its data) every other round.
 */
class RaftCoordinationContractTest extends CoordinationContractTest {

    private static RaftTestCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        Path dir = Files.createTempDirectory("courier-raft-coordination");
        cluster = new RaftTestCluster(3, dir, 400).startAll();
        cluster.awaitLeader();
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @BeforeEach
    void everyMemberRuns() throws Exception {
        for (String id : cluster.ids()) {
            if (!cluster.running.containsKey(id)) {
                cluster.start(id);
            }
        }
        cluster.awaitLeader();
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
    protected void partition(Registry client, Coordination coordination) {
        ((LeaseCoordinationBackend) ((StandardCoordination) coordination).backend()).stopRenewals();
    }

    @Override
    protected void backendFault(int round) throws Exception {
        if (round % 2 == 0) {
            String leader = cluster.awaitLeader();
            cluster.stop(leader);
            cluster.awaitLeader();
            cluster.start(leader);
        }
    }
}
