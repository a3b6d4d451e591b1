package dev.courier.registry.raft;

import dev.courier.registry.Registries;
import dev.courier.registry.Registry;
import dev.courier.registry.ServiceInstance;
import dev.courier.registry.ServiceKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three registry members as real processes: the leader is SIGKILLed during a stream of registrations;
 * a leader frozen (SIGSTOP) past a lease's TTL comes back and removes nothing live; a member stops
 * cleanly on SIGTERM.
 */
class RaftProcessFailoverTest {

    private static final ServiceKey KEY = ServiceKey.of("dev.courier.test.ProcessFailover");

    @TempDir
    Path dir;

    /**
     * Longer than the default 150-300 ms: with it, three member processes on a loaded 2-core host (a
     * verify run with a load test beside it) held elections back to back (terms 2 to 8) and the
     * provider's renewals went unanswered past a 20 s TTL. Failover is still a few seconds.
     */
    private static final String ELECTION_TIMEOUT = "1000-2000";

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
        return new ProcessBuilder(
                        java,
                        "-Xmx160m",
                        "-XX:TieredStopAtLevel=1",
                        "-cp",
                        System.getProperty("java.class.path"),
                        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                        "-Dorg.slf4j.simpleLogger.log.dev.courier.registry.raft.internal.RegistryStateMachine=info",
                        RegistryCommand.class.getName(),
                        "--id",
                        id,
                        "--peers",
                        peers,
                        "--data-dir",
                        dir.toString(),
                        "--snapshot-every",
                        "100",
                        "--election-timeout",
                        ELECTION_TIMEOUT)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(id + ".log").toFile())
                .start();
    }

    private static String addressesToPeers(Map<String, String> addresses) {
        List<String> parts = new ArrayList<>();
        addresses.forEach((id, a) -> parts.add(id + "=" + a));
        return String.join(",", parts);
    }

    /**
     * Starts three members and answers the leader's id. Raft members must know each other's addresses
     * before they start, so the ports are picked free beforehand; should another process take one in
     * between (a member then exits at once), the whole cluster starts again on fresh ports.
     */
    private String startCluster(Map<String, String> addresses) throws Exception {
        for (int attempt = 1; ; attempt++) {
            addresses.clear();
            for (int i = 1; i <= 3; i++) {
                try (ServerSocket s = new ServerSocket(0)) {
                    addresses.put("n" + i, "127.0.0.1:" + s.getLocalPort());
                }
            }
            String peers = addressesToPeers(addresses);
            String url = "raft://" + String.join(",", addresses.values());
            for (String id : addresses.keySet()) {
                members.put(id, launch(id, peers));
            }
            String leader = await().atMost(Duration.ofSeconds(60))
                    .until(
                            () -> members.values().stream().anyMatch(p -> !p.isAlive())
                                    ? ""
                                    : RaftMemberStatus.leaderId(RaftMemberStatus.of(url)),
                            l -> l != null);
            if (!leader.isEmpty()) {
                return leader;
            }
            assertThat(attempt)
                    .as("a member exited at start on three sets of ports")
                    .isLessThan(3);
            stopMembers();
            members.clear();
        }
    }

    @Test
    void sigkillOfTheLeaderLosesNoAcknowledgedRegistrationAndTheMemberCatchesUp() throws Exception {
        Map<String, String> addresses = new LinkedHashMap<>();
        String leader = startCluster(addresses);
        String peers = addressesToPeers(addresses);
        String url = "raft://" + String.join(",", addresses.values());

        try (Registry provider = Registries.connect(url);
                Registry consumer = Registries.connect(url)) {
            Set<ServiceInstance> acknowledged = ConcurrentHashMap.newKeySet();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong lastAck = new AtomicLong();
            Thread stream = new Thread(
                    () -> {
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
                    },
                    "registration-stream");
            stream.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> acknowledged.size() >= 30);

            Process killed = members.get(leader);
            killed.destroyForcibly(); // SIGKILL
            assertThat(killed.waitFor(10, TimeUnit.SECONDS))
                    .as("the leader died")
                    .isTrue();
            // the process is gone: an acknowledgement from now on came from the others
            long killedAt = System.nanoTime();
            int ackedAtKill = acknowledged.size();
            long ackAfterKill = await().atMost(Duration.ofSeconds(30)).until(lastAck::get, t -> t > killedAt);
            // a write was acknowledged after the kill, so there is a new leader; status asks each member for up to
            // 5 s, and a loaded host can still miss it for a while (with 1 s, run 3 of verify on 8165bb3 did for 10 s)
            String newLeader = await().atMost(Duration.ofSeconds(60))
                    .until(
                            () -> RaftMemberStatus.leaderId(RaftMemberStatus.of(url)),
                            l -> l != null && !l.equals(leader));
            long failoverMillis = (ackAfterKill - killedAt) / 1_000_000;
            System.out.printf(
                    "[raft-process] leader %s SIGKILLed; %s leads; a registration was acknowledged"
                            + " %d ms after the process was gone%n",
                    leader, newLeader, failoverMillis);
            // reported in verify (a loaded host may miss the target); asserted with -Pfailover-target
            long target = Long.getLong("courier.failover.assertMillis", 0);
            if (target > 0) {
                assertThat(failoverMillis)
                        .as("failover: first write acknowledged after the leader's SIGKILL")
                        .isLessThanOrEqualTo(target);
            }
            assertThat(acknowledged.size()).isGreaterThan(ackedAtKill);

            members.put(leader, launch(leader, peers)); // back on its data directory
            int before = acknowledged.size();
            await().atMost(Duration.ofSeconds(20)).until(() -> acknowledged.size() > before + 30);
            stop.set(true);
            stream.join();

            assertThat(new HashSet<>(consumer.list(KEY).instances())).containsAll(acknowledged);
            // the restarted member caught up: it applied everything the new leader had applied
            long leaderApplied = RaftMemberStatus.appliedOf(RaftMemberStatus.of(url), newLeader);
            assertThat(leaderApplied).isPositive();
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(RaftMemberStatus.appliedOf(RaftMemberStatus.of(url), leader))
                            .isGreaterThanOrEqualTo(leaderApplied));
        }
    }

    @Test
    void aLeaderFrozenPastTheTtlComesBackAndRemovesNothingLive() throws Exception {
        Map<String, String> addresses = new LinkedHashMap<>();
        String leader = startCluster(addresses);
        String url = "raft://" + String.join(",", addresses.values());
        // well above the client's 3 s request timeout on the frozen leader plus a failover on a loaded host,
        // so the provider itself renews in time: only a stale decision could remove it. 10 s was not
        // enough in a loaded verify run: elections followed one another (terms 2 to 9) and the live
        // leader rightly expired a lease the provider had not renewed for 11.8 s.
        Duration ttl = Duration.ofSeconds(20);

        try (Registry provider = Registries.connect(url);
                Registry consumer = Registries.connect(url)) {
            ServiceInstance live = ServiceInstance.of(KEY, "10.6.0.1", 4000);
            List<dev.courier.registry.WatchEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
            consumer.watch(KEY, events::add);
            provider.register(live, ttl);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> consumer.list(KEY).instances().contains(live));

            Process frozen = members.get(leader);
            signal(frozen, "STOP");
            long frozenAt = System.nanoTime();
            try {
                String newLeader = await().atMost(Duration.ofSeconds(30))
                        .until(
                                () -> RaftMemberStatus.leaderId(RaftMemberStatus.of(url)),
                                l -> l != null && !l.equals(leader));
                // the fault lasts past the TTL: on the frozen leader's clock the provider's lease has lapsed
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> System.nanoTime() - frozenAt
                                > ttl.plusSeconds(1).toNanos());
                System.out.printf("[raft-process] leader %s frozen; %s leads%n", leader, newLeader);
            } finally {
                signal(frozen, "CONT");
            }
            // the old leader wakes, learns the new term and catches up as a follower
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                List<RaftMemberStatus> status = RaftMemberStatus.of(url);
                String now = RaftMemberStatus.leaderId(status);
                return now != null
                        && !now.equals(leader)
                        && RaftMemberStatus.appliedOf(status, leader) >= RaftMemberStatus.appliedOf(status, now);
            });
            assertThat(consumer.list(KEY).instances()).contains(live);
            assertThat(events)
                    .as(() -> "expiry decisions in the member logs: " + expiryLines(addresses.keySet()))
                    .noneMatch(e -> e.type() == dev.courier.registry.WatchEvent.Type.REMOVED);
            long fenced = addresses.keySet().stream()
                    .mapToLong(id -> {
                        try {
                            return Files.readString(dir.resolve(id + ".log"))
                                    .lines()
                                    .filter(l -> l.contains("expiry of lease") && l.contains("refused"))
                                    .count();
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    })
                    .sum();
            // whether the thawed leader got to decide on its stale clock before it learnt the new term is a
            // race (Ratis's pause monitor may step it down first); when it did, the fence refused it
            boolean decided = java.util.regex.Pattern.compile("not renewed for \\d+ ms")
                    .matcher(Files.readString(dir.resolve(leader + ".log")))
                    .find();
            System.out.printf(
                    "[raft-process] thawed leader decided a stale expiry: %s; refusals logged: %d%n", decided, fenced);
        }
    }

    /** The lines of the members' logs about lease expiry, each with its member id. */
    private String expiryLines(java.util.Set<String> ids) {
        List<String> lines = new ArrayList<>();
        for (String id : ids) {
            try {
                Files.readString(dir.resolve(id + ".log"))
                        .lines()
                        .filter(l -> l.contains("lease"))
                        .forEach(l -> lines.add(id + ": " + l));
            } catch (IOException e) {
                lines.add(id + ": " + e);
            }
        }
        return String.join("\n", lines);
    }

    private static void signal(Process process, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                .inheritIO()
                .start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).as("kill -" + signal).isZero();
    }

    @Test
    void sigtermStopsAMemberCleanlyAndItRejoinsWithItsState() throws Exception {
        Map<String, String> addresses = new LinkedHashMap<>();
        String leader = startCluster(addresses);
        String peers = addressesToPeers(addresses);
        String url = "raft://" + String.join(",", addresses.values());
        String follower = addresses.keySet().stream()
                .filter(id -> !id.equals(leader))
                .findFirst()
                .orElseThrow();

        try (Registry provider = Registries.connect(url)) {
            for (int i = 0; i < 20; i++) {
                provider.register(ServiceInstance.of(KEY, "10.5.0.1", 2000 + i), Duration.ofSeconds(30));
            }
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> RaftMemberStatus.appliedOf(RaftMemberStatus.of(url), follower)
                            >= RaftMemberStatus.appliedOf(RaftMemberStatus.of(url), leader));
            long appliedBefore = RaftMemberStatus.appliedOf(RaftMemberStatus.of(url), follower);

            Process member = members.get(follower);
            member.destroy(); // SIGTERM
            assertThat(member.waitFor(20, TimeUnit.SECONDS))
                    .as("the member exits on SIGTERM")
                    .isTrue();
            assertThat(member.exitValue()).as("exit through the shutdown hook").isIn(0, 143);
            assertThat(Files.readString(dir.resolve(follower + ".log")))
                    .contains("member " + follower + " shutting down")
                    // Ratis logs the leader's appends it refuses while closing; nothing is left uncaught
                    .doesNotContain("Exception in thread");

            // the two others go on; the member comes back on its data directory with what it had applied
            // (an election may follow the departure on a loaded host: the write is retried until the two take it)
            await().atMost(Duration.ofSeconds(60))
                    .ignoreExceptions()
                    .untilAsserted(
                            () -> provider.register(ServiceInstance.of(KEY, "10.5.0.1", 3000), Duration.ofSeconds(30)));
            members.put(follower, launch(follower, peers));
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(RaftMemberStatus.appliedOf(RaftMemberStatus.of(url), follower))
                            .isGreaterThan(appliedBefore));
        }
    }
}
