package dev.courier.registry.zookeeper;

import dev.courier.registry.Registries;
import dev.courier.registry.Registry;
import dev.courier.registry.coordination.Coordination;
import dev.courier.registry.coordination.CoordinationContractTest;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The coordination contract on ZooKeeper. Every client talks through a proxy of its own; cutting a
 * client off freezes its proxy, so the client hears nothing and suspends its session, and the server
 * expires it.
 */
class ZookeeperCoordinationContractTest extends CoordinationContractTest {

    private static TestingServer server;
    private static final Map<Registry, FreezableProxy> proxies = new ConcurrentHashMap<>();

    @BeforeAll
    static void startZookeeper() throws Exception {
        // tickTime 500 ms allows session timeouts from 1 s, so the 2 s session TTL is the session timeout
        server = new TestingServer(new InstanceSpec(null, -1, -1, -1, true, -1, 500, -1), true);
    }

    @AfterAll
    static void stopZookeeper() throws Exception {
        for (FreezableProxy p : proxies.values()) {
            p.close();
        }
        server.close();
    }

    private final String root = "/coordination-" + java.util.UUID.randomUUID();

    @Override
    protected Registry connect() {
        try {
            FreezableProxy proxy = new FreezableProxy(new java.net.InetSocketAddress("127.0.0.1", server.getPort()));
            Registry client = Registries.connect(
                    "zookeeper://" + proxy.address() + "?sessionTimeoutMs=" + TTL.toMillis() + "&root=" + root);
            proxies.put(client, proxy);
            return client;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    protected void crash(Registry client) {
        proxies.get(client).freeze();
        ((ZookeeperRegistry) client).simulateCrash();
    }

    @Override
    protected void partition(Registry client, Coordination coordination) {
        proxies.get(client).freeze();
    }
}
