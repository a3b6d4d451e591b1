package dev.courier.registry.zookeeper;

import dev.courier.registry.Registries;
import dev.courier.registry.Registry;
import dev.courier.registry.RegistryException;
import dev.courier.registry.ServiceInstance;
import dev.courier.registry.ServiceKey;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Digest credentials: nodes a provider creates can be read by anyone and changed only with its credentials. */
class ZookeeperAclTest {

    private static TestingServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new TestingServer(true);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private static String url(String digest) {
        return "zookeeper://" + server.getConnectString() + "?root=/acl" + (digest == null ? "" : "&digest=" + digest);
    }

    @Test
    void onlyHoldersOfTheCredentialsChangeWhatTheyRegistered() throws Exception {
        ServiceKey key = new ServiceKey("demo.Acl", "1.0", "default");
        ServiceInstance instance = ServiceInstance.of(key, "127.0.0.1", 8080);
        try (Registry provider = Registries.connect(url("svc:s3cret"));
                Registry anonymous = Registries.connect(url(null));
                Registry wrongPassword = Registries.connect(url("svc:guess"))) {
            provider.register(instance, Duration.ofSeconds(10));
            String path = ((ZookeeperRegistry) provider).instancePath(instance);

            assertThat(anonymous.list(key).instances()).as("anyone may read").hasSize(1);
            assertThatThrownBy(() ->
                            ((ZookeeperRegistry) anonymous).curator().delete().forPath(path))
                    .isInstanceOf(KeeperException.NoAuthException.class);
            assertThatThrownBy(() -> ((ZookeeperRegistry) wrongPassword)
                            .curator()
                            .setData()
                            .forPath(path, new byte[1]))
                    .isInstanceOf(KeeperException.NoAuthException.class);
            assertThatThrownBy(() -> anonymous.register(ServiceInstance.of(key, "10.0.0.9", 9999)))
                    .isInstanceOf(RegistryException.class)
                    .hasRootCauseInstanceOf(KeeperException.NoAuthException.class);
            assertThat(provider.list(key).instances())
                    .extracting(ServiceInstance::port)
                    .containsExactly(8080);
        }
    }
}
