package dev.courier.registry.zookeeper;

import dev.courier.registry.Registration;
import dev.courier.registry.ServiceInstance;
import dev.courier.registry.ServiceKey;
import dev.courier.registry.WatchEvent;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A 3-node ZooKeeper ensemble loses its leader: registrations survive, new ones succeed, watches go on.
 *
 * <p>Fails rather than hangs when the ensemble does not recover: each registration attempt during the
 * election has its own bound, so the await gives up at its deadline; on failure the clients are closed
 * without deregistering (which would retry against a lost quorum for minutes); and the class timeout,
 * in a separate thread so that it holds even if a ZooKeeper call ignores the interrupt, bounds the rest.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ZookeeperEnsembleFailoverTest {

    private static final ServiceKey KEY = ServiceKey.of("dev.courier.test.Ensemble");
    /** Bound of one registration attempt during the failover; Curator alone may retry for minutes. */
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(5);

    @Test
    void registrationsAndWatchesSurviveTheLossOfTheLeader() throws Exception {
        List<InstanceSpec> specs = new ArrayList<>();
        for (int id = 1; id <= 3; id++) {
            specs.add(new InstanceSpec(null, -1, -1, -1, true, id, 500, -1));
        }
        try (TestingCluster cluster = new TestingCluster(specs)) {
            cluster.start();
            String connect = cluster.getConnectString();
            try (ZookeeperRegistry provider =
                            ZookeeperRegistry.connect(connect, "/ha", Duration.ofSeconds(6), Duration.ofSeconds(10));
                    ZookeeperRegistry consumer =
                            ZookeeperRegistry.connect(connect, "/ha", Duration.ofSeconds(6), Duration.ofSeconds(10))) {
                try {
                    loseTheLeader(cluster, specs, provider, consumer);
                } catch (Throwable failure) {
                    // The ensemble may have no quorum: close() would retry deleting every node for minutes
                    // and bury this failure under the class timeout. Close without deregistering instead.
                    provider.simulateCrash();
                    consumer.simulateCrash();
                    throw failure;
                }
            }
        }
    }

    private static void loseTheLeader(
            TestingCluster cluster, List<InstanceSpec> specs, ZookeeperRegistry provider, ZookeeperRegistry consumer)
            throws Exception {
        List<Registration> acknowledged = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            acknowledged.add(provider.register(ServiceInstance.of(KEY, "10.1.0.1", 7000 + i)));
        }
        List<WatchEvent> events = new CopyOnWriteArrayList<>();
        consumer.watch(KEY, events::add);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(events).as("watch events so far").isNotEmpty(); // retried, unlike an index error
            assertThat(events.get(events.size() - 1).instances()).hasSize(20);
        });

        InstanceSpec leader = findLeader(specs);
        long killedAt = System.nanoTime();
        cluster.killServer(leader);
        ExecutorService attempts = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ensemble-test-register");
            t.setDaemon(true);
            return t;
        });
        try {
            await("a registration after the leader was killed")
                    .atMost(Duration.ofSeconds(20))
                    .ignoreExceptions()
                    .until(() -> {
                        Future<Registration> attempt =
                                attempts.submit(() -> provider.register(ServiceInstance.of(KEY, "10.1.0.2", 7100)));
                        try {
                            return attempt.get(ATTEMPT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) != null;
                        } finally {
                            attempt.cancel(true); // a stuck attempt must not delay the next one
                        }
                    });
        } finally {
            attempts.shutdownNow();
            attempts.awaitTermination(10, TimeUnit.SECONDS);
        }
        long failoverMs = (System.nanoTime() - killedAt) / 1_000_000;
        System.out.printf(
                "[zookeeper] leader %d killed; a registration succeeded again after %d ms%n",
                leader.getServerId(), failoverMs);

        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> {
            assertThat(consumer.list(KEY).instances()).hasSize(21);
            assertThat(events.get(events.size() - 1).instances()).hasSize(21);
        });
        for (Registration r : acknowledged) {
            assertThat(consumer.list(KEY).instances()).contains(r.instance());
        }
    }

    private static InstanceSpec findLeader(List<InstanceSpec> specs) {
        return await().atMost(Duration.ofSeconds(10))
                .until(
                        () -> {
                            for (InstanceSpec spec : specs) {
                                if (mode(spec.getPort()).contains("leader")) {
                                    return spec;
                                }
                            }
                            return null;
                        },
                        s -> s != null);
    }

    /** Asks a server with the {@code srvr} four-letter word for its mode. */
    private static String mode(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            OutputStream out = s.getOutputStream();
            out.write("srvr".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String reply = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            return reply.lines().filter(l -> l.startsWith("Mode:")).findFirst().orElse("");
        } catch (Exception e) {
            return "";
        }
    }
}
