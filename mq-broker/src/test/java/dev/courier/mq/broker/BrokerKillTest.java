package dev.courier.mq.broker;

import dev.courier.mq.client.MqClient;
import dev.courier.mq.client.Producer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Publishes with fsync=group while the broker process is SIGKILLed and restarted on its data directory
 * several times; afterwards every acknowledged message must be consumed (lost = 0).
 */
class BrokerKillTest {

    private static final int MESSAGES = 4000;
    private static final int KILLS = 3;

    @TempDir
    Path dataDir;

    private int port;

    private Process startBroker() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), "dev.courier.mq.broker.cli.BrokerMain",
                "--data-dir", dataDir.toString(), "--host", "127.0.0.1", "--port", Integer.toString(port),
                "--fsync", "group", "--segment-bytes", Integer.toString(1 << 20));
        pb.redirectErrorStream(true);
        Process p = pb.start();
        CountDownLatch ready = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.contains("courier broker: listening")) {
                        ready.countDown();
                    }
                    if (line.contains("recovery:") || line.contains("ERROR") || line.contains("WARN")) {
                        System.out.println("[broker] " + line);
                    }
                }
            } catch (IOException e) {
                // the process died
            }
        }, "broker-output");
        reader.setDaemon(true);
        reader.start();
        if (!ready.await(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("The broker did not start");
        }
        return p;
    }

    @Test
    void noAcknowledgedMessageIsLostAcrossRepeatedSigkills() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process broker = startBroker();
        Set<String> acked = ConcurrentHashMap.newKeySet();
        AtomicInteger failed = new AtomicInteger();
        try (MqClient client = MqClient.connect("127.0.0.1:" + port, Duration.ofSeconds(90))) {
            Producer producer = client.producer("kill");
            List<CompletableFuture<?>> sends = new ArrayList<>();
            Thread publisher = new Thread(() -> {
                byte[] pad = new byte[1000];
                for (int i = 0; i < MESSAGES; i++) {
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
                    if (i % 20 == 0) {
                        try {
                            Thread.sleep(5);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                }
            }, "publisher");
            publisher.start();
            for (int k = 0; k < KILLS; k++) {
                Thread.sleep(400 + 200L * k);
                broker.destroyForcibly(); // SIGKILL
                broker.waitFor(10, TimeUnit.SECONDS);
                broker = startBroker();
            }
            publisher.join();
            CompletableFuture.allOf(sends.toArray(new CompletableFuture<?>[0])).handle((v, e) -> null)
                    .get(120, TimeUnit.SECONDS);
        }
        assertThat(failed).hasValue(0);
        assertThat(acked).hasSize(MESSAGES);

        Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
        try (MqClient client = MqClient.connect("127.0.0.1:" + port)) {
            client.subscribe("kill", "verify", m -> {
                String text = new String(m.payload(), 0, 16, StandardCharsets.UTF_8);
                received.computeIfAbsent(text.substring(0, text.indexOf('|')), x -> new AtomicInteger()).incrementAndGet();
            });
            // every acknowledged message, however late (lost ones make this time out and are counted below)
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> received.keySet().containsAll(acked));
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                // reported as lost below
            }
        } finally {
            broker.destroy(); // SIGTERM: graceful
            broker.waitFor(20, TimeUnit.SECONDS);
        }
        long lost = acked.stream().filter(id -> !received.containsKey(id)).count();
        long duplicates = received.values().stream().mapToInt(AtomicInteger::get).filter(n -> n > 1).map(n -> n - 1).sum();
        System.out.printf("SIGKILL x%d: acknowledged %d, consumed %d distinct, lost %d, duplicates %d%n", KILLS,
                acked.size(), received.size(), lost, duplicates);
        assertThat(lost).as("acknowledged messages lost").isZero();
        assertThat(broker.exitValue()).as("SIGTERM ends the JVM through its shutdown hook").isIn(0, 143);
    }
}
