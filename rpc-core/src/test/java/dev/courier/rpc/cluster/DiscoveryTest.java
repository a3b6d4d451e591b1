package dev.courier.rpc.cluster;

import dev.courier.registry.Registration;
import dev.courier.registry.Registries;
import dev.courier.registry.Registry;
import dev.courier.registry.ServiceInstance;
import dev.courier.registry.ServiceKey;
import dev.courier.registry.raft.RaftPeers;
import dev.courier.registry.raft.RaftRegistryServer;
import dev.courier.rpc.ExportOptions;
import dev.courier.rpc.LoadBalance;
import dev.courier.rpc.RpcClient;
import dev.courier.rpc.RpcServer;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Discovery through the ZooKeeper and Raft registries, and calls going on through a registry outage. */
class DiscoveryTest {

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private <T extends AutoCloseable> T owned(T resource) {
        resources.add(resource);
        return resource;
    }

    /**
     * Two providers register through {@code url}; a consumer discovers both, then b's entry leaves the
     * registry while b's server stays up and would answer: only the registry's watch can stop the routing
     * there (no go-away frame, no connection error).
     */
    private void discoversAndFollowsProviders(String url) {
        Registry providerRegistry = owned(Registries.connect(url));
        NamedProvider a = new NamedProvider("a");
        NamedProvider b = new NamedProvider("b");
        owned(RpcServer.builder()
                .host("127.0.0.1")
                .registry(providerRegistry)
                .export(ClusterService.class, a, ExportOptions.create())
                .start());
        RpcServer serverB = owned(RpcServer.builder()
                .host("127.0.0.1")
                .export(ClusterService.class, b)
                .start());
        Registration registrationB = providerRegistry.register(
                ServiceInstance.of(ServiceKey.of(ClusterService.class), "127.0.0.1", serverB.port()));
        RpcClient client = owned(RpcClient.builder().registry(url).build());
        ClusterService service = client.reference(ClusterService.class)
                .loadBalance(LoadBalance.ROUND_ROBIN)
                .build();

        await().atMost(Duration.ofSeconds(20)).until(() -> {
            service.name();
            return a.calls.get() > 0 && b.calls.get() > 0;
        });
        registrationB.close();
        // round-robin alternates while both are listed: 20 answers in a row from a mean b left
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            for (int i = 0; i < 20; i++) {
                if (!service.record("x").equals("a")) {
                    return false;
                }
            }
            return true;
        });
        int before = b.calls.get();
        for (int i = 0; i < 50; i++) {
            assertThat(service.record("x")).isEqualTo("a");
        }
        assertThat(b.calls.get()).isEqualTo(before);
    }

    @Test
    void discoversThroughZookeeper() throws Exception {
        TestingServer zk = owned(new TestingServer(true));
        discoversAndFollowsProviders("zookeeper://" + zk.getConnectString() + "?root=/discovery");
    }

    @Test
    void discoversThroughRaft(@TempDir Path dir) throws Exception {
        RaftMember member = singleRaftMember(dir);
        RaftRegistryServer server = owned(member.server());
        await().atMost(Duration.ofSeconds(20)).until(server::isLeader);
        discoversAndFollowsProviders("raft://" + member.address());
    }

    private record RaftMember(RaftRegistryServer server, String address) {}

    /**
     * A one-member Raft registry. A member's address is part of the group's configuration, so its port
     * is picked free beforehand rather than bound as port 0; should another process take it in between,
     * another is picked.
     */
    private static RaftMember singleRaftMember(Path dir) throws Exception {
        for (int attempt = 1; ; attempt++) {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            String address = "127.0.0.1:" + port;
            RaftRegistryServer server = new RaftRegistryServer(
                    "n1", new RaftPeers(Map.of("n1", address)), dir.resolve("n1-" + attempt), 1_000);
            try {
                return new RaftMember(server.start(), address);
            } catch (java.io.IOException | RuntimeException e) {
                server.close();
                if (attempt == 3 || !causedByBind(e)) {
                    throw e;
                }
            }
        }
    }

    private static boolean causedByBind(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.BindException) {
                return true;
            }
        }
        return false;
    }

    @Test
    void callsToKnownProvidersGoOnWhileTheRegistryIsDown() throws Exception {
        // tickTime 500 ms allows a 1 s session timeout, so sessions expire during the outage
        TestingServer zk = owned(new TestingServer(new InstanceSpec(null, -1, -1, -1, true, -1, 500, -1), true));
        String url = "zookeeper://" + zk.getConnectString() + "?root=/outage&sessionTimeoutMs=1000";
        Registry providerRegistry = owned(Registries.connect(url));
        NamedProvider a = new NamedProvider("a");
        NamedProvider b = new NamedProvider("b");
        owned(RpcServer.builder()
                .host("127.0.0.1")
                .registry(providerRegistry)
                .export(ClusterService.class, a, ExportOptions.create())
                .start());
        owned(RpcServer.builder()
                .host("127.0.0.1")
                .registry(providerRegistry)
                .export(ClusterService.class, b, ExportOptions.create())
                .start());
        RpcClient client = owned(RpcClient.builder().registry(url).build());
        ClusterService service = client.reference(ClusterService.class).build();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            service.name();
            return a.calls.get() > 0 && b.calls.get() > 0;
        });

        zk.stop();
        // well past the session timeout: every call still succeeds on the providers the client knew
        await().during(Duration.ofSeconds(4))
                .atMost(Duration.ofSeconds(6))
                .until(() -> service.record("x").matches("[ab]"));
        zk.restart();
    }
}
