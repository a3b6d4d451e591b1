package dev.courier.registry.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.courier.registry.Registries;
import dev.courier.registry.Registry;
import dev.courier.registry.ServiceInstance;
import dev.courier.registry.ServiceKey;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Three registry members as real processes; the leader is SIGKILLed during a stream of registrations. */
class RaftProcessFailoverTest {

    private static final ServiceKey KEY = ServiceKey.of("dev.courier.test.ProcessFailover");

    @TempDir
    Path dir;

    private final Map<String, Process> members = new LinkedHashMap<>();

    @AfterEach
    void stopMembers() {
        members.values().forEach(Process::destroy);
        members.values().forEach(p -> {
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private Process launch(String id, String peers) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-Xmx160m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                RegistryCommand.class.getName(), "--id", id, "--peers", peers, "--data-dir", dir.toString(),
                "--snapshot-every", "100")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(id + ".log").toFile())
                .start();
    }

    private static String status(String url) {
        PrintStream original = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            new CommandLine(new RegistryCommand()).execute("status", "--registry", url);
        } finally {
            System.setOut(original);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static String leaderOf(String status) {
        return status.lines().filter(l -> l.contains("role=LEADER"))
                .map(l -> l.substring("MEMBER id=".length(), l.indexOf(' ', "MEMBER id=".length())))
                .findFirst().orElse(null);
    }

    @Test
    void sigkillOfTheLeaderLosesNoAcknowledgedRegistration() throws Exception {
        Map<String, String> addresses = new LinkedHashMap<>();
        for (int i = 1; i <= 3; i++) {
            try (ServerSocket s = new ServerSocket(0)) {
                addresses.put("n" + i, "127.0.0.1:" + s.getLocalPort());
            }
        }
        List<String> parts = new ArrayList<>();
        addresses.forEach((id, a) -> parts.add(id + "=" + a));
        String peers = String.join(",", parts);
        String url = "raft://" + String.join(",", addresses.values());
        for (String id : addresses.keySet()) {
            members.put(id, launch(id, peers));
        }
        String leader = await().atMost(Duration.ofSeconds(60)).until(() -> leaderOf(status(url)), l -> l != null);

        try (Registry provider = Registries.connect(url); Registry consumer = Registries.connect(url)) {
            Set<ServiceInstance> acknowledged = ConcurrentHashMap.newKeySet();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong lastAck = new AtomicLong();
            Thread stream = new Thread(() -> {
                for (int i = 0; !stop.get() && i < 60_000; i++) {
                    ServiceInstance instance = ServiceInstance.of(KEY, "10.4.0.1", 1000 + i);
                    try {
                        provider.register(instance, Duration.ofSeconds(15));
                        acknowledged.add(instance);
                        lastAck.set(System.nanoTime());
                    } catch (RuntimeException e) {
                        // not acknowledged
                    }
                }
            }, "registration-stream");
            stream.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> acknowledged.size() >= 30);

            long killedAt = System.nanoTime();
            members.get(leader).destroyForcibly(); // SIGKILL
            long ackAfterKill = await().atMost(Duration.ofSeconds(10)).until(lastAck::get, t -> t > killedAt);
            String newLeader = await().atMost(Duration.ofSeconds(10)).until(() -> leaderOf(status(url)), l -> l != null && !l.equals(leader));
            System.out.printf("[raft-process] leader %s SIGKILLed; %s leads; a registration was acknowledged %d ms later%n",
                    leader, newLeader, (ackAfterKill - killedAt) / 1_000_000);
            assertThat((ackAfterKill - killedAt) / 1_000_000).isLessThan(2_000);

            members.put(leader, launch(leader, peers)); // back on its data directory
            int before = acknowledged.size();
            await().atMost(Duration.ofSeconds(20)).until(() -> acknowledged.size() > before + 30);
            stop.set(true);
            stream.join();

            assertThat(new HashSet<>(consumer.list(KEY).instances())).containsAll(acknowledged);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(status(url)).contains("MEMBER id=" + leader + " ").doesNotContain("UNREACHABLE"));
        }
    }
}
