package dev.courier.rpc.cluster;

import dev.courier.registry.Registries;
import dev.courier.registry.Registry;
import dev.courier.registry.RegistryException;
import dev.courier.registry.ServiceInstance;
import dev.courier.registry.ServiceKey;
import dev.courier.registry.raft.RaftPeers;
import dev.courier.registry.raft.RaftRegistryServer;
import dev.courier.registry.raft.RaftTls;
import dev.courier.registry.raft.RegistryAccess;
import dev.courier.rpc.cert.DevCa;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The Raft registry over mutual TLS (Ratis over gRPC), with certificates of a development CA. */
class RaftRegistryTlsTest {

    @TempDir
    static Path certs;

    @TempDir
    static Path rogueCerts;

    @TempDir
    Path data;

    static DevCa.Issued member;
    static DevCa.Issued app;
    static DevCa.Issued ops;
    static DevCa.Issued mallory;
    static Path ca;

    private RaftRegistryServer server;
    private String address;

    @BeforeAll
    static void makeCertificates() throws Exception {
        DevCa devCa = DevCa.init(certs);
        ca = devCa.certificate();
        member = devCa.issue("n1");
        app = devCa.issue("app");
        ops = devCa.issue("ops");
        mallory = DevCa.init(rogueCerts).issue("mallory");
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private void startMember() throws Exception {
        startMember(RegistryAccess.open());
    }

    private void startMember(RegistryAccess access) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        address = "127.0.0.1:" + port;
        server = new RaftRegistryServer(
                        "n1",
                        RaftPeers.parse("n1=" + address),
                        data,
                        1000,
                        Map.of(),
                        new RaftTls(member.certificate(), member.privateKey(), ca),
                        access)
                .start();
    }

    private String url(DevCa.Issued identity, Path trust) {
        return "raft://" + address + "?tls.ca=" + trust + "&tls.cert=" + identity.certificate() + "&tls.key="
                + identity.privateKey();
    }

    @Test
    void clientWithACertificateOfTheCaRegistersAndLists() throws Exception {
        startMember();
        ServiceKey key = new ServiceKey("demo.Greeter", "1.0", "default");
        try (Registry registry = Registries.connect(url(app, ca))) {
            registry.register(ServiceInstance.of(key, "127.0.0.1", 8080), Duration.ofSeconds(10));
            assertThat(registry.list(key).instances()).hasSize(1);
        }
    }

    @Test
    void plaintextClientOrACertificateOfAnotherCaIsRefused() throws Exception {
        startMember();
        ServiceKey key = new ServiceKey("demo.Greeter", "1.0", "default");
        try (Registry plaintext = Registries.connect("raft://" + address);
                Registry rogue = Registries.connect(url(mallory, ca))) {
            assertThatThrownBy(() -> plaintext.list(key)).isInstanceOf(RegistryException.class);
            assertThatThrownBy(() -> rogue.list(key)).isInstanceOf(RegistryException.class);
        }
        try (Registry registry = Registries.connect(url(app, ca))) {
            assertThat(registry.list(key).instances())
                    .as("nothing was registered")
                    .isEmpty();
        }
    }

    private RaftClient adminClient(DevCa.Issued identity) {
        // a TLS connection and a snapshot on a loaded 2-core host can take seconds: the test is about who
        // may, not how fast, so the call gets 30 s instead of Ratis's default 3 s
        RaftProperties properties = new RaftProperties();
        org.apache.ratis.client.RaftClientConfigKeys.Rpc.setRequestTimeout(
                properties, org.apache.ratis.util.TimeDuration.valueOf(30, java.util.concurrent.TimeUnit.SECONDS));
        return RaftClient.newBuilder()
                .setProperties(properties)
                .setParameters(new RaftTls(identity.certificate(), identity.privateKey(), ca).parameters())
                .setRaftGroup(RaftPeers.parse("n1=" + address).group())
                .setRetryPolicy(RetryPolicies.noRetry())
                .build();
    }

    @Test
    void onlyTheNamedAdminsMayChangeTheMemberThroughTheAdminApi() throws Exception {
        startMember(RegistryAccess.open().withAdmins(Set.of("ops")));
        try (RaftClient appClient = adminClient(app);
                RaftClient opsClient = adminClient(ops)) {
            RaftPeerId n1 = RaftPeerId.valueOf("n1");
            await().atMost(Duration.ofSeconds(10))
                    .ignoreExceptions()
                    .until(() -> appClient
                            .getGroupManagementApi(n1)
                            .info(RaftPeers.GROUP_ID)
                            .isSuccess()); // reads stay open

            assertThatThrownBy(() -> appClient.getSnapshotManagementApi(n1).create(30_000))
                    .hasMessageContaining("PERMISSION_DENIED")
                    .hasMessageContaining("principal 'app'");
            assertThatThrownBy(() -> appClient.admin().setConfiguration(List.of()))
                    .hasMessageContaining("PERMISSION_DENIED");
            assertThat(opsClient.getSnapshotManagementApi(n1).create(30_000).isSuccess())
                    .isTrue();
        }
    }
}
