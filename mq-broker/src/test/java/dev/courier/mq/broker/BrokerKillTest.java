package dev.courier.mq.broker;

import dev.courier.mq.client.MqClient;
import dev.courier.mq.client.Producer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Publishes with fsync=group while the broker process is SIGKILLed and restarted on its data directory
 * several times, each kill landing while sends are outstanding; afterwards every acknowledged message
 * must be consumed (lost = 0) and stored once (the producer is idempotent: duplicates = 0). Each broker
 * process binds port 0 and reports its port; the client reaches it through a relay that keeps one address.
 */
class BrokerKillTest {

    /** At least this many are published; the stream goes on until the last kill is done. */
    private static final int MIN_MESSAGES = 4000;
    /** Sends outstanding at most: the publisher waits for message i - WINDOW before sending message i. */
    private static final int WINDOW = 300;

    private static final int KILLS = 3;

    @TempDir
    Path dataDir;

    /** A broker process and the address it reported once listening. */
    private record Started(Process process, InetSocketAddress address) {}

    private Started startBroker() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(
                java,
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                "dev.courier.mq.broker.cli.BrokerMain",
                "--data-dir",
                dataDir.toString(),
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--fsync",
                "group",
                "--segment-bytes",
                Integer.toString(1 << 20));
        pb.redirectErrorStream(true);
        Process p = pb.start();
        CompletableFuture<InetSocketAddress> listening = new CompletableFuture<>();
        Thread reader = new Thread(
                () -> {
                    String marker = "courier broker: listening on ";
                    try (BufferedReader r =
                            new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = r.readLine()) != null) {
                            int at = line.indexOf(marker);
                            if (at >= 0) {
                                String hostPort = line.substring(at + marker.length(), line.indexOf(',', at));
                                int colon = hostPort.lastIndexOf(':');
                                listening.complete(new InetSocketAddress(
                                        hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))));
                            }
                            if (line.contains("recovery:") || line.contains("ERROR") || line.contains("WARN")) {
                                System.out.println("[broker] " + line);
                            }
                        }
                    } catch (IOException e) {
                        // the process died
                    } finally {
                        listening.completeExceptionally(new AssertionError("The broker exited before listening"));
                    }
                },
                "broker-output");
        reader.setDaemon(true);
        reader.start();
        try {
            return new Started(p, listening.get(30, TimeUnit.SECONDS));
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            p.destroyForcibly();
            throw new AssertionError("The broker did not start", e);
        }
    }

    @Test
    void noAcknowledgedMessageIsLostOrStoredTwiceAcrossRepeatedSigkills() throws Exception {
        Started broker = startBroker();
        Set<String> acked = ConcurrentHashMap.newKeySet();
        AtomicInteger failed = new AtomicInteger();
        List<CompletableFuture<?>> sends = new ArrayList<>(); // the publisher's until it is joined
        List<Integer> outstandingAtKills = new ArrayList<>();
        try (RelayProxy relay = new RelayProxy(broker.address());
                MqClient client = MqClient.connect("127.0.0.1:" + relay.port(), Duration.ofSeconds(90))) {
            Producer producer = client.producer("kill");
            AtomicBoolean killing = new AtomicBoolean(true);
            Thread publisher = new Thread(
                    () -> {
                        byte[] pad = new byte[1000];
                        for (int i = 0; killing.get() || i < MIN_MESSAGES; i++) {
                            if (i >= WINDOW) {
                                sends.get(i - WINDOW).handle((v, e) -> null).join();
                            }
                            String id = "m" + i;
                            byte[] head = (id + "|").getBytes(StandardCharsets.UTF_8);
                            byte[] payload = new byte[head.length + pad.length];
                            System.arraycopy(head, 0, payload, 0, head.length);
                            sends.add(producer.send(payload).whenComplete((mid, e) -> {
                                if (e == null) {
                                    acked.add(id);
                                } else {
                                    failed.incrementAndGet();
                                }
                            }));
                        }
                    },
                    "publisher");
            publisher.start();
            for (int k = 0; k < KILLS; k++) {
                // this broker process has been acknowledging, and sends are outstanding: it is not idle
                int ackedAtStart = acked.size();
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(5))
                        .until(() -> acked.size() >= ackedAtStart + 100 && producer.pending() >= WINDOW / 3);
                broker.process().destroyForcibly(); // SIGKILL
                assertThat(broker.process().waitFor(10, TimeUnit.SECONDS))
                        .as("the broker died")
                        .isTrue();
                // the process is gone, so nothing more can be acknowledged by it: these were cut by the kill
                outstandingAtKills.add(producer.pending());
                broker = startBroker();
                relay.target(broker.address());
            }
            killing.set(false);
            publisher.join();
            CompletableFuture.allOf(sends.toArray(new CompletableFuture<?>[0]))
                    .handle((v, e) -> null)
                    .get(120, TimeUnit.SECONDS);
        }
        assertThat(outstandingAtKills)
                .hasSize(KILLS)
                .allSatisfy(n -> assertThat(n).isPositive());
        assertThat(failed).hasValue(0);
        assertThat(acked).hasSize(sends.size());

        Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
        long stored;
        try (RelayProxy relay = new RelayProxy(broker.address());
                MqClient client = MqClient.connect("127.0.0.1:" + relay.port())) {
            client.subscribe("kill", "verify", m -> {
                String text = new String(m.payload(), 0, 16, StandardCharsets.UTF_8);
                received.computeIfAbsent(text.substring(0, text.indexOf('|')), x -> new AtomicInteger())
                        .incrementAndGet();
            });
            // every acknowledged message, however late (lost ones make this time out and are counted below)
            try {
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> received.keySet().containsAll(acked));
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                // reported as lost below
            }
            stored = client.broker().stats("kill", "verify").endOffset();
        } finally {
            broker.process().destroy(); // SIGTERM: graceful
            broker.process().waitFor(20, TimeUnit.SECONDS);
        }
        long lost = acked.stream().filter(id -> !received.containsKey(id)).count();
        long duplicates = received.values().stream()
                .mapToInt(AtomicInteger::get)
                .filter(n -> n > 1)
                .map(n -> n - 1)
                .sum();
        System.out.printf(
                "SIGKILL x%d (outstanding sends at each: %s): acknowledged %d, stored %d,"
                        + " consumed %d distinct, lost %d, duplicates %d%n",
                KILLS, outstandingAtKills, acked.size(), stored, received.size(), lost, duplicates);
        assertThat(lost).as("acknowledged messages lost").isZero();
        assertThat(stored).as("records stored: each message once").isEqualTo(acked.size());
        assertThat(duplicates).as("messages delivered twice").isZero();
        assertThat(broker.process().exitValue())
                .as("SIGTERM ends the JVM through its shutdown hook")
                .isIn(0, 143);
    }
}
