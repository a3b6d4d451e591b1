package dev.courier.registry.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.courier.registry.Registration;
import dev.courier.registry.ServiceInstance;
import dev.courier.registry.ServiceKey;
import dev.courier.registry.WatchEvent;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.junit.jupiter.api.Test;

/** A 3-node ZooKeeper ensemble loses its leader: registrations survive, new ones succeed, watches go on. */
class ZookeeperEnsembleFailoverTest {

    private static final ServiceKey KEY = ServiceKey.of("dev.courier.test.Ensemble");

    @Test
    void registrationsAndWatchesSurviveTheLossOfTheLeader() throws Exception {
        List<InstanceSpec> specs = new ArrayList<>();
        for (int id = 1; id <= 3; id++) {
            specs.add(new InstanceSpec(null, -1, -1, -1, true, id, 500, -1));
        }
        try (TestingCluster cluster = new TestingCluster(specs)) {
            cluster.start();
            String connect = cluster.getConnectString();
            try (ZookeeperRegistry provider = ZookeeperRegistry.connect(connect, "/ha", Duration.ofSeconds(6), Duration.ofSeconds(10));
                 ZookeeperRegistry consumer = ZookeeperRegistry.connect(connect, "/ha", Duration.ofSeconds(6), Duration.ofSeconds(10))) {
                List<Registration> acknowledged = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    acknowledged.add(provider.register(ServiceInstance.of(KEY, "10.1.0.1", 7000 + i)));
                }
                List<WatchEvent> events = new CopyOnWriteArrayList<>();
                consumer.watch(KEY, events::add);
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                        assertThat(events.get(events.size() - 1).instances()).hasSize(20));

                InstanceSpec leader = findLeader(specs);
                long killedAt = System.nanoTime();
                cluster.killServer(leader);
                await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
                    provider.register(ServiceInstance.of(KEY, "10.1.0.2", 7100));
                    return true;
                });
                long failoverMs = (System.nanoTime() - killedAt) / 1_000_000;
                System.out.printf("[zookeeper] leader %d killed; a registration succeeded again after %d ms%n",
                        leader.getServerId(), failoverMs);

                await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> {
                    assertThat(consumer.list(KEY).instances()).hasSize(21);
                    assertThat(events.get(events.size() - 1).instances()).hasSize(21);
                });
                for (Registration r : acknowledged) {
                    assertThat(consumer.list(KEY).instances()).contains(r.instance());
                }
            }
        }
    }

    private static InstanceSpec findLeader(List<InstanceSpec> specs) {
        return await().atMost(Duration.ofSeconds(10)).until(() -> {
            for (InstanceSpec spec : specs) {
                if (mode(spec.getPort()).contains("leader")) {
                    return spec;
                }
            }
            return null;
        }, s -> s != null);
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
