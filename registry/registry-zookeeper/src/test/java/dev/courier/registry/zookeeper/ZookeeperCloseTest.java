package dev.courier.registry.zookeeper;

import dev.courier.registry.Registration;
import dev.courier.registry.ServiceInstance;
import dev.courier.registry.ServiceKey;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Closing without a quorum returns within a bound; registrations of different instances do not queue. */
class ZookeeperCloseTest {

    private static final ServiceKey KEY = ServiceKey.of("dev.courier.test.ZkClose");
    private static final Duration SESSION = Duration.ofSeconds(10);
    /** Generous against the session timeout; before closing was bounded it took over a minute here. */
    private static final long CLOSE_BOUND_MILLIS = 15_000;

    @Test
    void closingTheRegistryAndARegistrationWithoutAQuorumReturnsWithinABound() throws Exception {
        try (TestingServer server = new TestingServer(true)) {
            ZookeeperRegistry registry =
                    ZookeeperRegistry.connect(server.getConnectString(), "/close", SESSION, Duration.ofSeconds(5));
            Registration first = registry.register(ServiceInstance.of(KEY, "10.7.0.1", 7000), SESSION);
            for (int i = 1; i < 5; i++) {
                registry.register(ServiceInstance.of(KEY, "10.7.0.1", 7000 + i), SESSION);
            }
            server.stop();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> !registry.curator().getZookeeperClient().isConnected());

            long start = System.nanoTime();
            first.close();
            long registrationMillis = (System.nanoTime() - start) / 1_000_000;
            start = System.nanoTime();
            registry.close();
            long registryMillis = (System.nanoTime() - start) / 1_000_000;
            System.out.printf(
                    "[zk] without a quorum: a registration closed in %d ms, the registry in %d ms%n",
                    registrationMillis, registryMillis);
            assertThat(registrationMillis).isLessThan(CLOSE_BOUND_MILLIS);
            assertThat(registryMillis).isLessThan(CLOSE_BOUND_MILLIS);
        }
    }

    @Test
    void aRegistrationClosedWhileDisconnectedIsDeletedOnceTheSessionIsBack() throws Exception {
        try (TestingServer server = new TestingServer(true);
                ZookeeperRegistry provider = ZookeeperRegistry.connect(
                        server.getConnectString(), "/close3", Duration.ofMinutes(2), Duration.ofSeconds(5))) {
            ServiceInstance instance = ServiceInstance.of(KEY, "10.7.3.1", 7300);
            Registration registration = provider.register(instance, Duration.ofMinutes(2));
            provider.register(ServiceInstance.of(KEY, "10.7.3.1", 7301), Duration.ofMinutes(2));
            server.stop();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> !provider.curator().getZookeeperClient().isConnected());
            registration.close(); // nothing reachable: returns at once

            server.restart(); // the session survives: its nodes stay unless deleted
            try (ZookeeperRegistry consumer = ZookeeperRegistry.connect(
                    server.getConnectString(), "/close3", Duration.ofSeconds(10), Duration.ofSeconds(10))) {
                // well before the two-minute session could expire
                await().atMost(Duration.ofSeconds(60))
                        .untilAsserted(() -> assertThat(consumer.list(KEY).instances())
                                .extracting(ServiceInstance::port)
                                .containsExactly(7301));
            }
        }
    }

    @Test
    void closingTheRegistryRemovesItsInstancesAtOnceNotAtSessionExpiry() throws Exception {
        try (TestingServer server = new TestingServer(true);
                ZookeeperRegistry consumer = ZookeeperRegistry.connect(
                        server.getConnectString(), "/close2", Duration.ofMinutes(1), Duration.ofSeconds(5))) {
            ZookeeperRegistry provider = ZookeeperRegistry.connect(
                    server.getConnectString(), "/close2", Duration.ofMinutes(1), Duration.ofSeconds(5));
            for (int i = 0; i < 3; i++) {
                provider.register(ServiceInstance.of(KEY, "10.7.1.1", 7100 + i), Duration.ofMinutes(1));
            }
            assertThat(consumer.list(KEY).instances()).hasSize(3);
            provider.close();
            // the session's close removed them: a minute-long session timeout has not passed
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> consumer.list(KEY).instances().isEmpty());
        }
    }

    @Test
    void aRegistrationWaitsOnlyForItsOwnNode() throws Exception {
        try (TestingServer server = new TestingServer(true);
                ZookeeperRegistry registry = ZookeeperRegistry.connect(
                        server.getConnectString(), "/stripes", SESSION, Duration.ofSeconds(5))) {
            ServiceInstance held = ServiceInstance.of(KEY, "10.7.2.1", 7200);
            ServiceInstance other = ServiceInstance.of(KEY, "10.7.2.1", 7201);
            for (int port = 7202;
                    registry.lockFor(registry.instancePath(other)) == registry.lockFor(registry.instancePath(held));
                    port++) {
                other = ServiceInstance.of(KEY, "10.7.2.1", port);
            }
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Thread holder = new Thread(
                    () -> {
                        synchronized (
                                registry.lockFor(registry.instancePath(held))) { // as a slow round trip on that node
                            holding.countDown();
                            try {
                                release.await(60, TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                    },
                    "holds-one-node");
            holder.start();
            assertThat(holding.await(30, TimeUnit.SECONDS)).isTrue();
            try {
                CompletableFuture<Registration> blocked =
                        CompletableFuture.supplyAsync(() -> registry.register(held, SESSION));
                ServiceInstance free = other;
                CompletableFuture<Registration> unblocked =
                        CompletableFuture.supplyAsync(() -> registry.register(free, SESSION));
                assertThat(unblocked.get(30, TimeUnit.SECONDS).instance()).isEqualTo(free);
                assertThat(blocked).isNotDone();
                release.countDown();
                assertThat(blocked.get(30, TimeUnit.SECONDS).instance()).isEqualTo(held);
            } finally {
                release.countDown();
                holder.join();
            }
            assertThat(registry.list(KEY).instances()).hasSize(2);
        }
    }
}
