package dev.courier.registry.zookeeper;

import dev.courier.registry.Registries;
import dev.courier.registry.Registry;
import dev.courier.registry.RegistryContractTest;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

class ZookeeperRegistryContractTest extends RegistryContractTest {

    private static TestingServer server;

    @BeforeAll
    static void startZookeeper() throws Exception {
        // tickTime 500 ms allows session timeouts from 1 s, so the 2 s contract TTL is the session timeout
        server = new TestingServer(new InstanceSpec(null, -1, -1, -1, true, -1, 500, -1), true);
    }

    @AfterAll
    static void stopZookeeper() throws Exception {
        server.close();
    }

    @Override
    protected Registry connect() {
        return Registries.connect("zookeeper://" + server.getConnectString()
                + "?sessionTimeoutMs=" + TTL.toMillis() + "&root=/contract");
    }

    @Override
    protected void crash(Registry client) {
        ((ZookeeperRegistry) client).simulateCrash();
    }

    @Override
    protected void restartRegistryOrExpireSession(Registry client) throws Exception {
        ((ZookeeperRegistry) client).expireSession();
    }

    @Override
    protected String backendName() {
        return "zookeeper";
    }
}
