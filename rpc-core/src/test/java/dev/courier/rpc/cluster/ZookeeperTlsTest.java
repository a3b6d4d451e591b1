package dev.courier.rpc.cluster;

import dev.courier.registry.Registries;
import dev.courier.registry.Registry;
import dev.courier.registry.RegistryException;
import dev.courier.registry.ServiceInstance;
import dev.courier.registry.ServiceKey;
import dev.courier.rpc.cert.DevCa;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The ZooKeeper registry over ZooKeeper's client TLS, with certificates of a development CA. */
class ZookeeperTlsTest {

    @TempDir
    static Path certs;

    @TempDir
    static Path rogueCerts;

    static TestingServer server;
    static int securePort;
    static Path ca;
    static Path appStore;
    static Path rogueStore;

    /** Key and certificate in one PEM file, as ZooKeeper's PEM key store reads them. */
    private static Path keyStore(DevCa.Issued issued) throws Exception {
        Path store = issued.certificate().resolveSibling(issued.name() + "-store.pem");
        Files.writeString(store, Files.readString(issued.privateKey()) + Files.readString(issued.certificate()));
        return store;
    }

    @BeforeAll
    static void start() throws Exception {
        DevCa devCa = DevCa.init(certs);
        ca = devCa.certificate();
        Path serverStore = keyStore(devCa.issue("zookeeper"));
        appStore = keyStore(devCa.issue("app"));
        rogueStore = keyStore(DevCa.init(rogueCerts).issue("mallory"));
        try (ServerSocket s = new ServerSocket(0)) {
            securePort = s.getLocalPort();
        }
        Map<String, Object> tls = Map.of(
                "secureClientPort",
                String.valueOf(securePort),
                "serverCnxnFactory",
                "org.apache.zookeeper.server.NettyServerCnxnFactory",
                "ssl.keyStore.location",
                serverStore.toString(),
                "ssl.keyStore.type",
                "PEM",
                "ssl.trustStore.location",
                ca.toString(),
                "ssl.trustStore.type",
                "PEM");
        server = new TestingServer(new InstanceSpec(null, -1, -1, -1, true, -1, -1, -1, tls), true);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private static String url(Path keyStore, String timeoutMs) {
        return "zookeeper://127.0.0.1:" + securePort + "?root=/tls&connectionTimeoutMs=" + timeoutMs + "&tls.keystore="
                + keyStore + "&tls.ca=" + ca;
    }

    @Test
    void aClientWithACertificateOfTheCaRegistersOverTls() throws Exception {
        ServiceKey key = new ServiceKey("demo.Tls", "1.0", "default");
        try (Registry registry = Registries.connect(url(appStore, "10000"))) {
            registry.register(ServiceInstance.of(key, "127.0.0.1", 8080), Duration.ofSeconds(10));
            assertThat(registry.list(key).instances()).hasSize(1);
        }
    }

    @Test
    void plaintextOrACertificateOfAnotherCaGetsNoSession() {
        assertThatThrownBy(() -> Registries.connect(
                                "zookeeper://127.0.0.1:" + securePort + "?root=/tls&connectionTimeoutMs=2000")
                        .close())
                .isInstanceOf(RegistryException.class);
        assertThatThrownBy(() -> Registries.connect(url(rogueStore, "2000")).close())
                .isInstanceOf(RegistryException.class);
    }
}
