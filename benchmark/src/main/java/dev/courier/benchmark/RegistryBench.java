package dev.courier.benchmark;

import dev.courier.benchmark.report.HtmlReport;
import dev.courier.benchmark.report.Result;
import dev.courier.registry.Registries;
import dev.courier.registry.Registry;
import dev.courier.registry.ServiceInstance;
import dev.courier.registry.ServiceKey;
import dev.courier.registry.WatchEvent;
import dev.courier.registry.coordination.Coordination;
import dev.courier.registry.coordination.DistributedLock;
import dev.courier.registry.coordination.IdGenerator;
import dev.courier.registry.coordination.LockGrant;
import dev.courier.registry.raft.RaftLeaseBackend;
import dev.courier.registry.raft.RaftMemberStatus;
import dev.courier.registry.raft.RaftPeers;
import dev.courier.registry.raft.RaftRegistryServer;
import dev.courier.registry.raft.RegistryCommand;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code ./courier bench registry}: a 3-member Raft registry as three member processes on loopback, and
 * the figures its users ask about:
 * <ul>
 *   <li>watch fan-out: {@code --watchers} watches of one service spread over {@code --watch-clients}
 *       clients; the time from a registration's start (and from its return, once committed) until each
 *       watch reports it;</li>
 *   <li>lock acquire (uncontended {@code tryLock}) and hand-over (the holder releases, the next waiter
 *       is granted) latency;</li>
 *   <li>ids per second of one snowflake and one segment generator;</li>
 *   <li>failover: the leader process SIGKILLed {@code --kills} times (started again in between); the time
 *       from the process being gone until a write is acknowledged (the new leader serving; target 1 s),
 *       and until a write sent after that is.</li>
 * </ul>
 * Prints one {@code REGISTRY metric=... count=... p50_ms=... p99_ms=... max_ms=...} line per latency
 * figure and {@code IDS kind=... per_second=...}; with {@code --report DIR} also writes them as
 * {@code results.json} and {@code index.html} (one section per figure, latencies in µs); exits 1 if a
 * failover missed the target.
 */
@Command(
        name = "registry",
        mixinStandardHelpOptions = true,
        description = "Raft registry figures: watch fan-out, lock latency, ids per second, failover.")
final class RegistryBench implements java.util.concurrent.Callable<Integer> {

    static final long FAILOVER_TARGET_MILLIS = 1000;
    private static final ServiceKey KEY = new ServiceKey("bench.Watched", "1.0", "default");

    @Option(names = "--quick", description = "Fewer watchers, rounds and kills.")
    boolean quick;

    @Option(names = "--watchers", description = "Watches of one service (default ${DEFAULT-VALUE}; --quick 200).")
    int watchers = 1000;

    @Option(names = "--watch-clients", description = "Clients the watches are spread over (default ${DEFAULT-VALUE}).")
    int watchClients = 10;

    @Option(names = "--changes", description = "Registrations the watches see (default ${DEFAULT-VALUE}).")
    int changes = 20;

    @Option(names = "--lock-rounds", description = "Acquires and hand-overs measured (default ${DEFAULT-VALUE}).")
    int lockRounds = 100;

    @Option(names = "--kills", description = "Leader SIGKILLs (default ${DEFAULT-VALUE}; --quick 3).")
    int kills = 10;

    @Option(names = "--phases", split = ",", description = "Phases to run (default all): watch, lock, ids, failover")
    List<String> phases = List.of("watch", "lock", "ids", "failover");

    @Option(names = "--report", description = "Write results.json and index.html into this directory.")
    Path report;

    @Option(
            names = "--election-timeout",
            description = "The members' --election-timeout, MIN-MAX ms (default: ${DEFAULT-VALUE}).",
            defaultValue = RaftRegistryServer.DEFAULT_ELECTION_TIMEOUT)
    String electionTimeout;

    /** The system name of every figure in the report. */
    static final String SYSTEM = "courier-raft-registry";

    private final List<Result> results = new ArrayList<>();
    private final Map<String, Process> members = new LinkedHashMap<>();
    private final Map<String, String> addresses = new LinkedHashMap<>();
    private Path dataDir;
    private String peers;

    @Override
    public Integer call() throws Exception {
        if (quick) {
            watchers = Math.min(watchers, 200);
            kills = Math.min(kills, 3);
            lockRounds = Math.min(lockRounds, 30);
            changes = Math.min(changes, 10);
        }
        dataDir = Files.createTempDirectory("courier-bench-registry");
        try {
            startCluster();
            String url = "raft://" + String.join(",", addresses.values());
            boolean met = true;
            if (phases.contains("watch")) {
                watchFanOut(url);
            }
            if (phases.contains("lock")) {
                locks(url);
            }
            if (phases.contains("ids")) {
                ids(url);
            }
            if (phases.contains("failover")) {
                met = failover(url);
            }
            if (report != null) {
                HtmlReport.write(report, "Courier registry benchmark", results);
                System.out.println(
                        "report written to " + report.toAbsolutePath().resolve("index.html"));
            }
            return met ? 0 : 1;
        } finally {
            for (Process p : members.values()) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            deleteTree(dataDir);
        }
    }

    private static void deleteTree(Path root) throws java.io.IOException {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private void startCluster() throws Exception {
        for (int i = 1; i <= 3; i++) {
            try (ServerSocket s = new ServerSocket(0)) {
                addresses.put("n" + i, "127.0.0.1:" + s.getLocalPort());
            }
        }
        List<String> parts = new ArrayList<>();
        addresses.forEach((id, a) -> parts.add(id + "=" + a));
        peers = String.join(",", parts);
        for (String id : addresses.keySet()) {
            members.put(id, launch(id));
        }
        String url = "raft://" + String.join(",", addresses.values());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (RaftMemberStatus.leaderId(RaftMemberStatus.of(url)) == null) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the registry elected no leader in 180 s");
            }
            Thread.sleep(200);
        }
        System.out.printf(
                "== registry: 3 member processes %s, election timeout %s ms%n", addresses.values(), electionTimeout);
    }

    private Process launch(String id) throws Exception {
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(
                        java,
                        "-Xmx256m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                        RegistryCommand.class.getName(),
                        "--id",
                        id,
                        "--peers",
                        peers,
                        "--data-dir",
                        dataDir.toString(),
                        "--election-timeout",
                        electionTimeout)
                .redirectErrorStream(true)
                .redirectOutput(dataDir.resolve(id + ".log").toFile())
                .start();
    }

    private void watchFanOut(String url) throws Exception {
        System.out.printf(
                "== watch fan-out: %d watches over %d clients, %d registrations%n", watchers, watchClients, changes);
        List<Registry> clients = new ArrayList<>();
        Histogram latency = new ConcurrentHistogram(TimeUnit.SECONDS.toNanos(60), 3);
        Histogram afterCommit = new ConcurrentHistogram(TimeUnit.SECONDS.toNanos(60), 3);
        Map<Integer, Long> startedAt = new ConcurrentHashMap<>();
        Map<Integer, Long> committedAt = new ConcurrentHashMap<>();
        Map<Integer, List<Long>> seenAt = new ConcurrentHashMap<>();
        int warmup = 5;
        Map<Integer, CountDownLatch> seen = new ConcurrentHashMap<>();
        for (int i = 0; i < changes + warmup; i++) {
            seen.put(20_000 + i, new CountDownLatch(watchers));
            seenAt.put(20_000 + i, java.util.Collections.synchronizedList(new ArrayList<>()));
        }
        try (Registry provider = Registries.connect(url)) {
            for (int c = 0; c < watchClients; c++) {
                clients.add(Registries.connect(url));
            }
            CountDownLatch snapshots = new CountDownLatch(watchers);
            for (int w = 0; w < watchers; w++) {
                clients.get(w % watchClients).watch(KEY, event -> {
                    if (event.type() == WatchEvent.Type.SNAPSHOT) {
                        snapshots.countDown();
                    } else if (event.type() == WatchEvent.Type.ADDED) {
                        int port = event.instance().port();
                        if (startedAt.containsKey(port)) {
                            seenAt.get(port).add(System.nanoTime());
                            seen.get(port).countDown();
                        }
                    }
                });
            }
            if (!snapshots.await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("not every watch started in 120 s");
            }
            List<dev.courier.registry.Registration> registrations = new ArrayList<>();
            for (int i = 0; i < changes + warmup; i++) { // the first few warm up
                int port = 20_000 + i;
                long t0 = System.nanoTime();
                startedAt.put(port, t0);
                registrations.add(provider.register(ServiceInstance.of(KEY, "10.9.0.1", port), Duration.ofSeconds(30)));
                long t1 = System.nanoTime();
                committedAt.put(port, t1);
                if (!seen.get(port).await(60, TimeUnit.SECONDS)) {
                    System.out.printf(
                            "  registration %d: only %d of %d watches saw it in 60 s%n",
                            i, watchers - seen.get(port).getCount(), watchers);
                }
                if (i >= warmup) {
                    synchronized (seenAt.get(port)) {
                        for (long t : seenAt.get(port)) {
                            latency.recordValue(t - t0);
                            afterCommit.recordValue(Math.max(0, t - t1));
                        }
                    }
                }
            }
            registrations.forEach(dev.courier.registry.Registration::close);
        } finally {
            clients.forEach(Registry::close);
        }
        report("watch_fanout_" + watchers + "_from_register_start", latency);
        report("watch_fanout_" + watchers + "_from_register_return", afterCommit);
    }

    private void locks(String url) throws Exception {
        System.out.printf("== locks: %d uncontended acquires, %d hand-overs%n", lockRounds, lockRounds);
        Histogram acquire = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        Histogram handOver = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        try (Registry a = Registries.connect(url);
                Registry b = Registries.connect(url);
                Coordination ca = a.openCoordination(Duration.ofSeconds(10));
                Coordination cb = b.openCoordination(Duration.ofSeconds(10))) {
            DistributedLock la = ca.lock("bench");
            DistributedLock lb = cb.lock("bench");
            for (int i = 0; i < lockRounds + 5; i++) { // the first five warm up
                long t0 = System.nanoTime();
                LockGrant g = la.tryLock(Duration.ofSeconds(30)).orElseThrow();
                long t1 = System.nanoTime();
                g.close();
                if (i >= 5) {
                    acquire.recordValue(t1 - t0);
                }
            }
            for (int i = 0; i < lockRounds + 5; i++) {
                LockGrant held = la.tryLock(Duration.ofSeconds(30)).orElseThrow();
                AtomicLong grantedAt = new AtomicLong();
                CompletableFuture<LockGrant> waiter = CompletableFuture.supplyAsync(() -> {
                    try {
                        LockGrant g = lb.tryLock(Duration.ofSeconds(30)).orElseThrow();
                        grantedAt.set(System.nanoTime());
                        return g;
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
                awaitQueued(ca, 2);
                long released = System.nanoTime();
                held.close();
                waiter.get(60, TimeUnit.SECONDS).close();
                if (i >= 5) {
                    handOver.recordValue(grantedAt.get() - released);
                }
            }
        }
        report("lock_acquire", acquire);
        report("lock_handover", handOver);
    }

    /** Waits until lock {@code bench} has {@code n} entries queued (the waiter has joined). */
    private static void awaitQueued(Coordination c, int n) throws InterruptedException {
        var backend = ((dev.courier.registry.coordination.internal.StandardCoordination) c).backend();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (backend.queue("lock/bench").entries().size() < n) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the waiter did not queue in 30 s");
            }
            Thread.sleep(1);
        }
    }

    private void ids(String url) throws Exception {
        try (Registry r = Registries.connect(url);
                Coordination c = r.openCoordination(Duration.ofSeconds(10))) {
            rate("snowflake", c.snowflake());
            rate("segment", c.segments("bench", 10_000));
        }
    }

    private void rate(String kind, IdGenerator ids) {
        long sink = 0;
        for (int i = 0; i < 200_000; i++) { // warm-up, and the first range or worker id
            sink ^= ids.nextId();
        }
        long count = 0;
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(3);
        while (System.nanoTime() < end) {
            for (int i = 0; i < 1000; i++) {
                sink ^= ids.nextId();
            }
            count += 1000;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(
                Locale.ROOT,
                "IDS kind=%s per_second=%.0f (one thread; checksum %d)%n",
                kind,
                count / seconds,
                sink & 0xF);
        results.add(new Result(SYSTEM, "ids_" + kind, 0, 1, count / seconds, 0, 0, 0, 0, 0, 0, 0));
    }

    /**
     * Kills the leader process {@code kills} times while one client renews a lease back to back. The
     * clock starts when the process is gone; the target figure is the first renewal acknowledged after
     * that (a new leader serving writes), the other the first renewal both sent and acknowledged after it
     * (what a caller that starts a write at the kill waits).
     */
    private boolean failover(String url) throws Exception {
        System.out.printf("== failover: %d leader SIGKILLs; target %d ms%n", kills, FAILOVER_TARGET_MILLIS);
        Histogram serving = new Histogram(TimeUnit.SECONDS.toNanos(120), 3);
        Histogram sentAfter = new Histogram(TimeUnit.SECONDS.toNanos(120), 3);
        try (RaftLeaseBackend writer = new RaftLeaseBackend(RaftPeers.ofAddresses(List.copyOf(addresses.values())))) {
            long lease = writer.grant(Duration.ofSeconds(60));
            for (int k = 0; k < kills; k++) {
                String leader = RaftMemberStatus.leaderId(RaftMemberStatus.of(url));
                AtomicLong killedAt = new AtomicLong(Long.MAX_VALUE);
                AtomicLong firstAck = new AtomicLong();
                AtomicLong firstSentAfter = new AtomicLong();
                AtomicBoolean stop = new AtomicBoolean();
                Thread loop = new Thread(
                        () -> {
                            while (!stop.get()) {
                                long sent = System.nanoTime();
                                try {
                                    writer.keepAlive(lease);
                                    long acked = System.nanoTime();
                                    if (acked > killedAt.get() && firstAck.get() == 0) {
                                        firstAck.set(acked);
                                    }
                                    if (sent > killedAt.get() && firstSentAfter.get() == 0) {
                                        firstSentAfter.set(acked);
                                    }
                                } catch (RuntimeException e) {
                                    // unreachable for a moment
                                }
                            }
                        },
                        "failover-writer");
                loop.start();
                Thread.sleep(500);
                Process victim = members.get(leader);
                victim.destroyForcibly();
                if (!victim.waitFor(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the leader " + leader + " did not die in 10 s");
                }
                killedAt.set(System.nanoTime()); // gone: from now on only the others acknowledge
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (firstSentAfter.get() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                stop.set(true);
                loop.join();
                long servingMillis = millisSince(killedAt.get(), firstAck.get());
                long sentAfterMillis = millisSince(killedAt.get(), firstSentAfter.get());
                serving.recordValue(TimeUnit.MILLISECONDS.toNanos(servingMillis));
                sentAfter.recordValue(TimeUnit.MILLISECONDS.toNanos(sentAfterMillis));
                System.out.printf(
                        "  kill %d: leader %s SIGKILLed; a write acknowledged %d ms after it was gone,"
                                + " one sent after it %d ms%n",
                        k + 1, leader, servingMillis, sentAfterMillis);
                members.put(leader, launch(leader)); // back on its data; caught up before the next kill
                awaitCaughtUp(url, leader);
            }
        }
        report("failover", serving);
        report("failover_write_sent_after_kill", sentAfter);
        boolean met = serving.getMaxValue() <= TimeUnit.MILLISECONDS.toNanos(FAILOVER_TARGET_MILLIS);
        System.out.printf("TARGET failover<=%d ms %s%n", FAILOVER_TARGET_MILLIS, met ? "met" : "missed");
        return met;
    }

    /** Milliseconds from {@code from} to {@code to}, or 60,000 when {@code to} never came (0). */
    private static long millisSince(long from, long to) {
        return to == 0 ? 60_000 : TimeUnit.NANOSECONDS.toMillis(to - from);
    }

    private void awaitCaughtUp(String url, String id) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            List<RaftMemberStatus> s = RaftMemberStatus.of(url);
            String leader = RaftMemberStatus.leaderId(s);
            if (leader != null
                    && RaftMemberStatus.appliedOf(s, id) >= 0
                    && RaftMemberStatus.appliedOf(s, id) >= RaftMemberStatus.appliedOf(s, leader) - 1) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(id + " did not catch up in 120 s");
    }

    private void report(String metric, Histogram h) {
        results.add(result(metric, h));
        System.out.printf(
                Locale.ROOT,
                "REGISTRY metric=%s count=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f%n",
                metric,
                h.getTotalCount(),
                h.getValueAtPercentile(50) / 1e6,
                h.getValueAtPercentile(99) / 1e6,
                h.getMaxValue() / 1e6);
    }

    /** A latency figure (nanoseconds recorded) as a report entry: no rate, percentiles in µs. */
    static Result result(String metric, Histogram h) {
        return new Result(
                SYSTEM,
                metric,
                0,
                1,
                0,
                h.getValueAtPercentile(50) / 1000,
                h.getValueAtPercentile(90) / 1000,
                h.getValueAtPercentile(99) / 1000,
                h.getValueAtPercentile(99.9) / 1000,
                h.getMaxValue() / 1000,
                0,
                0);
    }
}
