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
    private static final java.util.Map<Registry, FreezableProxy> proxies =
            new java.util.concurrent.ConcurrentHashMap<>();

    @BeforeAll
    static void startZookeeper() throws Exception {
        // tickTime 500 ms allows session timeouts from 1 s to 10 s
        server = new TestingServer(new InstanceSpec(null, -1, -1, -1, true, -1, 500, -1), true);
    }

    @AfterAll
    static void stopZookeeper() throws Exception {
        for (FreezableProxy p : proxies.values()) {
            p.close();
        }
        server.close();
    }

    /**
     * The clients' session timeout: what a crashed provider is gone within, here in place of the
     * contract's TTL. Not the 2 s TTL itself: a session that short expires on its own when a loaded host
     * holds up the client's heartbeats for 2 s (it did in a verify run, with the bench beside), and its
     * ephemeral nodes go with it.
     */
    private static final java.time.Duration SESSION_TIMEOUT = java.time.Duration.ofSeconds(6);

    /** Each test works under a root of its own on the shared server. */
    private final String root = "/contract-" + java.util.UUID.randomUUID();

    @Override
    protected Registry connect() {
        try {
            // every client talks through its own proxy, so a crash can cut it off without a clean close
            FreezableProxy proxy = new FreezableProxy(new java.net.InetSocketAddress("127.0.0.1", server.getPort()));
            Registry client = Registries.connect("zookeeper://" + proxy.address() + "?sessionTimeoutMs="
                    + SESSION_TIMEOUT.toMillis() + "&root=" + root);
            proxies.put(client, proxy);
            return client;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    protected java.time.Duration expiresWithin() {
        return SESSION_TIMEOUT;
    }

    @Override
    protected void crash(Registry client) {
        proxies.get(client).freeze();
        ((ZookeeperRegistry) client).simulateCrash();
    }

    @Override
    protected void restartRegistryOrExpireSession(Registry client) throws Exception {
        ((ZookeeperRegistry) client).expireSession();
    }

    @Override
    protected boolean deliversEveryChangeInOrder() {
        return false;
    }

    /** A client reads from the server it is connected to, which in an ensemble may lag (no {@code sync}). */
    @Override
    protected boolean listsEveryChangeOnceTheCallReturns() {
        return false;
    }

    @Override
    protected String backendName() {
        return "zookeeper";
    }
}
