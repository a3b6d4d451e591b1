package dev.courier.benchmark.chaos;

import dev.courier.mq.broker.cli.BrokerMain;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code ./courier chaos broker}: runs a broker, producers and consumers as child processes, injects
 * faults on a seeded schedule for the duration, then stops the producers, drains every subscription and
 * checks the whole history ({@link QueueChecker}). The last line printed is
 * {@code CHAOS acknowledged=N delivered=N lost=N unexpected=N duplicated=N faults=N}; the exit code is
 * {@value #EXIT_INVALID} when anything acknowledged was lost or anything unexpected delivered, and
 * {@value #EXIT_FAILED} when the run could not complete (a broker that does not start).
 *
 * <p>Clients reach the broker through a {@link TcpProxy} the harness owns, so they keep one address
 * across restarts (each incarnation listens on a new ephemeral port) and the network can be cut.
 *
 * <p>Not thread-safe: one run per instance, driven by one thread.
 */
@Command(
        name = "broker",
        mixinStandardHelpOptions = true,
        description = "Fault run against one broker: kills, pauses, power losses, full disks and network cuts, "
                + "then a check of every acknowledged and delivered message.")
final class ChaosBroker implements java.util.concurrent.Callable<Integer> {

    static final int EXIT_INVALID = 1;
    static final int EXIT_FAILED = 3;
    static final String TOPIC = "chaos";
    static final String SIMULATE_DISK_CACHE = "--simulate-disk-cache";
    static final String DISK_QUOTA_FILE = "--disk-quota-file";
    static final String DISABLE_GROUP_FSYNC = "--test-disable-group-fsync";

    @Option(names = "--duration", description = "Seconds of faults (default ${DEFAULT-VALUE}).")
    long duration = 120;

    @Option(
            names = "--faults",
            split = ",",
            description = "Kinds of fault: kill, pause, power-loss, disk-full, net " + "(default: all).")
    List<String> faults = List.of("kill", "pause", "power-loss", "disk-full", "net");

    @Option(names = "--producers", description = "Producer processes (default ${DEFAULT-VALUE}).")
    int producers = 3;

    @Option(names = "--consumers", description = "Consumer processes (default ${DEFAULT-VALUE}).")
    int consumers = 2;

    @Option(
            names = "--subscriptions",
            description = "Subscriptions the consumers are spread over; each must deliver "
                    + "every message (default ${DEFAULT-VALUE}).")
    int subscriptions = 1;

    @Option(names = "--seed", description = "Seed of the fault schedule; the same seed replays it (default: random).")
    Long seed;

    @Option(names = "--rate", description = "Messages per second per producer (default ${DEFAULT-VALUE}).")
    int rate = 200;

    @Option(names = "--size", description = "Payload bytes (default ${DEFAULT-VALUE}).")
    int size = 256;

    @Option(
            names = "--session-timeout-ms",
            description = "The broker's consumer session timeout; pauses outlast it " + "(default ${DEFAULT-VALUE}).")
    long sessionTimeoutMillis = 3000;

    @Option(
            names = "--mutation",
            description = "Break the broker on purpose to prove the check sees it: "
                    + "no-group-fsync (the group flusher skips its fsync; with power-loss expect lost > 0).")
    String mutation;

    @Option(
            names = "--drain-idle",
            description = "Seconds without a new delivery after which draining gives up on "
                    + "messages still missing (default ${DEFAULT-VALUE}).")
    long drainIdleSeconds = 20;

    @Option(names = "--report", description = "Write chaos.json and index.html into this directory.")
    Path report;

    @Option(
            names = "--work-dir",
            description = "Where the broker's data, the histories and the logs go "
                    + "(default: a new temporary directory, deleted after a valid run).")
    Path workDir;

    private PrintStream out = System.out;
    // the run's parts, set by run()
    private Path historyDir;
    private long runStartMicros;
    private BrokerProcess broker;
    private TcpProxy proxy;
    private FaultInjector injector;

    /** The outcome of a completed run. */
    record Outcome(ChaosRun run, int exitCode, Path workDir) {}

    ChaosBroker output(PrintStream out) {
        this.out = out;
        return this;
    }

    @Override
    public Integer call() throws Exception {
        List<FaultKind> kinds;
        try {
            kinds = kinds();
            validate(kinds);
        } catch (IllegalArgumentException e) {
            System.err.println("courier chaos: " + e.getMessage());
            return 2;
        }
        try {
            return run(kinds).exitCode();
        } catch (BrokerProcess.BrokerFailedException e) {
            System.err.println("courier chaos: " + e.getMessage());
            return EXIT_FAILED;
        } catch (IOException | RuntimeException e) {
            System.err.println("courier chaos: the run failed (every child process is stopped)");
            e.printStackTrace();
            return EXIT_FAILED;
        }
    }

    List<FaultKind> kinds() {
        List<FaultKind> kinds = faults.stream().map(FaultKind::parse).distinct().toList();
        if (kinds.isEmpty()) {
            throw new IllegalArgumentException("--faults names no fault");
        }
        return kinds;
    }

    private void validate(List<FaultKind> kinds) {
        if (duration < 1
                || producers < 1
                || consumers < 1
                || subscriptions < 1
                || subscriptions > consumers
                || rate < 1
                || size < ChaosClients.ID_BYTES) {
            throw new IllegalArgumentException("need --duration, --producers, --consumers, --rate >= 1, "
                    + "1 <= --subscriptions <= --consumers and --size >= " + ChaosClients.ID_BYTES);
        }
        if (mutation != null && !mutation.equals("no-group-fsync")) {
            throw new IllegalArgumentException("unknown --mutation '" + mutation + "'; known: no-group-fsync");
        }
        List<String> missing = new ArrayList<>();
        if (kinds.stream().anyMatch(FaultKind::needsSimulatedDisk) && !brokerHas(SIMULATE_DISK_CACHE)) {
            missing.add(SIMULATE_DISK_CACHE + " (for power-loss and disk-full)");
        }
        if (kinds.contains(FaultKind.DISK_FULL) && !brokerHas(DISK_QUOTA_FILE)) {
            missing.add(DISK_QUOTA_FILE + " (for disk-full)");
        }
        if (mutation != null && !brokerHas(DISABLE_GROUP_FSYNC)) {
            missing.add(DISABLE_GROUP_FSYNC + " (for --mutation no-group-fsync)");
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("this broker has no " + String.join(", no ", missing));
        }
    }

    /** Whether this build's broker takes the flag {@code name}. */
    static boolean brokerHas(String name) {
        return new CommandLine(new BrokerMain()).getCommandSpec().findOption(name) != null;
    }

    /** Runs the whole thing; every child process is gone when it returns or throws. */
    Outcome run(List<FaultKind> kinds) throws IOException, InterruptedException {
        long seedUsed = seed != null ? seed : System.nanoTime() ^ System.currentTimeMillis();
        FaultSchedule schedule = FaultSchedule.plan(
                seedUsed, kinds, Duration.ofSeconds(duration), Duration.ofMillis(sessionTimeoutMillis));
        boolean tempWork = workDir == null;
        Path work = tempWork ? Files.createTempDirectory("courier-chaos-") : Files.createDirectories(workDir);
        Path data = Files.createDirectories(work.resolve("data"));
        historyDir = Files.createDirectories(work.resolve("history"));
        Path logs = Files.createDirectories(work.resolve("logs"));
        Path quotaFile = kinds.contains(FaultKind.DISK_FULL) ? work.resolve("disk-quota") : null;
        if (quotaFile != null) {
            Files.deleteIfExists(quotaFile);
        }
        out.printf(
                Locale.ROOT,
                "chaos: seed %d (replay with --seed %d), %d s, faults %s, %d producers x %d msgs/s, "
                        + "%d consumers on %d subscription(s)%s; work dir %s%n",
                seedUsed,
                seedUsed,
                duration,
                kinds,
                producers,
                rate,
                consumers,
                subscriptions,
                mutation == null ? "" : ", mutation " + mutation,
                work);
        for (FaultSchedule.Planned f : schedule.faults()) {
            out.printf(
                    Locale.ROOT,
                    "chaos: planned #%d at %.1f s: %s%s%n",
                    f.index(),
                    f.startMillis() / 1000.0,
                    f.kind(),
                    f.lengthMillis() > 0 ? String.format(Locale.ROOT, " for %.1f s", f.lengthMillis() / 1000.0) : "");
        }

        List<String> subs = new ArrayList<>();
        for (int s = 0; s < subscriptions; s++) {
            subs.add("s" + s);
        }
        List<ChaosRun.Fault> executed = new ArrayList<>();
        List<Long> faultEnds = new ArrayList<>(); // epoch micros, per executed fault
        try (ChildJvms jvms = new ChildJvms();
                TcpProxy tcpProxy = TcpProxy.start(new InetSocketAddress("127.0.0.1", 1))) {
            proxy = tcpProxy;
            List<String> brokerArgs = new ArrayList<>(List.of(
                    "--session-timeout-ms",
                    Long.toString(sessionTimeoutMillis),
                    "--fsync",
                    "group",
                    "--segment-bytes",
                    Integer.toString(4 << 20)));
            if (mutation != null) {
                brokerArgs.add(DISABLE_GROUP_FSYNC);
            }
            broker = new BrokerProcess(jvms, data, logs.resolve("broker.log"), brokerArgs);
            // A run with power-loss or disk-full has every broker on the simulated disk.
            injector = new FaultInjector(
                    broker, proxy, data, kinds.stream().anyMatch(FaultKind::needsSimulatedDisk), quotaFile, out);
            injector.startBroker();
            out.println("chaos: broker listening on " + broker.address() + ", clients through the proxy at "
                    + proxy.address());

            List<Process> consumerProcs = startConsumers(jvms, subs, logs);
            List<Process> producerProcs = startProducers(jvms, logs);
            awaitFirstAcks();
            runStartMicros = HistoryWriter.nowMicros();
            long startNanos = System.nanoTime();
            out.println("chaos: every producer is acknowledged; faults start");

            long previousPlannedEnd = 0;
            long previousEndNanos = startNanos;
            for (FaultSchedule.Planned f : schedule.faults()) {
                // At its planned time, but never closer to the previous fault's actual end than planned (a
                // restart takes a while): the same faults, lengths and gaps whatever the machine's speed.
                long gap = f.startMillis() - previousPlannedEnd;
                waitUntil(Math.max(
                        startNanos + TimeUnit.MILLISECONDS.toNanos(f.startMillis()),
                        previousEndNanos + TimeUnit.MILLISECONDS.toNanos(gap)));
                long start = HistoryWriter.nowMicros();
                injector.inject(f);
                long end = HistoryWriter.nowMicros();
                previousPlannedEnd = f.endMillis();
                previousEndNanos = System.nanoTime();
                faultEnds.add(end);
                executed.add(new ChaosRun.Fault(
                        f.index(), f.kind().label(), f.startMillis(), relMillis(start), relMillis(end), null));
                out.printf(
                        Locale.ROOT,
                        "chaos: #%d %s at %.1f s, ended at %.1f s%n",
                        f.index(),
                        f.kind(),
                        relMillis(start) / 1000.0,
                        relMillis(end) / 1000.0);
            }
            // The last fault's recovery is seen before the producers stop.
            waitUntil(Math.max(
                    startNanos + TimeUnit.SECONDS.toNanos(duration),
                    previousEndNanos + TimeUnit.MILLISECONDS.toNanos(FaultSchedule.MIN_GAP_MILLIS)));

            out.println("chaos: stopping the producers (each waits for what it has in flight)");
            producerProcs.forEach(ChildJvms::closeStdin); // all at once, then wait for each
            for (Process p : producerProcs) {
                if (!p.waitFor(90, TimeUnit.SECONDS)) {
                    out.println("chaos: a producer did not finish within 90 s; killed");
                    ChildJvms.kill(p);
                }
            }
            drain(subs);
            consumerProcs.forEach(ChildJvms::closeStdin);
            for (Process c : consumerProcs) {
                if (!c.waitFor(30, TimeUnit.SECONDS)) {
                    ChildJvms.kill(c);
                }
            }
            if (!broker.stop()) {
                out.println("chaos: the broker did not stop on SIGTERM within 30 s; killed");
            }
            if (quotaFile != null) {
                Files.deleteIfExists(quotaFile);
            }
        }

        ChaosRun run = summarize(seedUsed, kinds, subs, executed, faultEnds);
        print(run);
        if (report != null) {
            ChaosReport.write(report, run);
            out.println("report written to " + report.toAbsolutePath().resolve("index.html"));
        }
        if (run.valid() && tempWork) {
            deleteTree(work);
        } else {
            deleteTree(data); // large; the histories and logs stay for a look
        }
        out.println(run.chaosLine());
        return new Outcome(run, run.valid() ? 0 : EXIT_INVALID, work);
    }

    private static final List<String> CLIENT_FLAGS = List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    private List<Process> startConsumers(ChildJvms jvms, List<String> subs, Path logs) {
        List<Process> started = new ArrayList<>();
        for (int c = 0; c < consumers; c++) {
            String sub = subs.get(c % subscriptions);
            started.add(jvms.start(
                    CLIENT_FLAGS,
                    ChaosConsumer.class,
                    List.of(
                            "--broker",
                            proxy.address(),
                            "--topic",
                            TOPIC,
                            "--subscription",
                            sub,
                            "--history",
                            historyDir.resolve(History.consumerFile(sub, c)).toString()),
                    logs.resolve("consumer-" + c + ".log")));
        }
        return started;
    }

    private List<Process> startProducers(ChildJvms jvms, Path logs) {
        List<Process> started = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            started.add(jvms.start(
                    CLIENT_FLAGS,
                    ChaosProducer.class,
                    List.of(
                            "--broker",
                            proxy.address(),
                            "--topic",
                            TOPIC,
                            "--name",
                            "p" + p,
                            "--history",
                            historyDir.resolve(History.producerFile(p)).toString(),
                            "--rate",
                            Integer.toString(rate),
                            "--size",
                            Integer.toString(size)),
                    logs.resolve("producer-" + p + ".log")));
        }
        return started;
    }

    /** Checks the history and measures the recovery after each fault. */
    private ChaosRun summarize(
            long seedUsed,
            List<FaultKind> kinds,
            List<String> subs,
            List<ChaosRun.Fault> executed,
            List<Long> faultEnds) {
        History history = History.read(historyDir, subs);
        QueueChecker.Verdict verdict = QueueChecker.check(history);
        long[] ackTimes = history.ackTimes();
        Map<FaultKind, List<OptionalLong>> byKind = new LinkedHashMap<>();
        List<ChaosRun.Fault> faultsOut = new ArrayList<>();
        for (int i = 0; i < executed.size(); i++) {
            ChaosRun.Fault f = executed.get(i);
            OptionalLong recovery = QueueChecker.recoveryMillis(faultEnds.get(i), ackTimes);
            byKind.computeIfAbsent(FaultKind.parse(f.kind()), k -> new ArrayList<>())
                    .add(recovery);
            faultsOut.add(new ChaosRun.Fault(
                    f.index(),
                    f.kind(),
                    f.plannedStartMs(),
                    f.startMs(),
                    f.endMs(),
                    recovery.isPresent() ? recovery.getAsLong() : null));
        }
        Map<String, QueueChecker.Recovery> recovery = new LinkedHashMap<>();
        for (FaultKind k : FaultKind.values()) {
            if (byKind.containsKey(k)) {
                recovery.put(k.label(), QueueChecker.Recovery.of(byKind.get(k)));
            }
        }
        return new ChaosRun(
                seedUsed,
                duration,
                kinds.stream().map(FaultKind::label).toList(),
                producers,
                consumers,
                subscriptions,
                mutation,
                verdict.valid(),
                ChaosRun.Totals.of(verdict),
                recovery,
                faultsOut,
                acksPerSecond(ackTimes),
                broker.incarnations(),
                injector.unexpectedExits());
    }

    /** Waits until every producer has had an acknowledgement, so faults meet a working system. */
    private void awaitFirstAcks() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            injector.keepBrokerAlive();
            History h = History.read(historyDir, List.of());
            long producersAcked = h.acknowledged().keySet().stream()
                    .map(id -> id.substring(0, id.indexOf('-')))
                    .distinct()
                    .count();
            if (producersAcked == producers) {
                return;
            }
            Thread.sleep(200); // polling the producers' history files
        }
        throw new BrokerProcess.BrokerFailedException(
                "Not every producer got an acknowledgement within 120 s; see " + historyDir.resolveSibling("logs"));
    }

    /**
     * Waits until every subscription delivered every acknowledged message, or until nothing new was
     * delivered for {@code --drain-idle} seconds.
     */
    private void drain(List<String> subs) throws IOException, InterruptedException {
        out.println("chaos: draining every subscription");
        long lastDeliveries = -1;
        long lastProgress = System.nanoTime();
        while (true) {
            injector.keepBrokerAlive();
            History h = History.read(historyDir, subs);
            QueueChecker.Verdict v = QueueChecker.check(h);
            long deliveries =
                    h.deliveries().values().stream().mapToLong(List::size).sum();
            if (v.lost() == 0) {
                return;
            }
            if (deliveries != lastDeliveries) {
                lastDeliveries = deliveries;
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > TimeUnit.SECONDS.toNanos(drainIdleSeconds)) {
                out.printf(
                        Locale.ROOT,
                        "chaos: %d acknowledged deliveries still missing after %d s without progress%n",
                        v.lost(),
                        drainIdleSeconds);
                return;
            }
            Thread.sleep(500); // polling the consumers' history files
        }
    }

    /** Sleeps until {@code deadlineNanos}, restarting a broker that exited on its own. */
    private void waitUntil(long deadlineNanos) throws IOException, InterruptedException {
        long left;
        while ((left = deadlineNanos - System.nanoTime()) > 0) {
            injector.keepBrokerAlive();
            TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
        }
    }

    private long relMillis(long micros) {
        return (micros - runStartMicros) / 1000;
    }

    private List<Long> acksPerSecond(long[] ackTimes) {
        List<Long> perSecond = new ArrayList<>();
        for (long t : ackTimes) {
            if (t < runStartMicros) {
                continue;
            }
            int s = (int) ((t - runStartMicros) / 1_000_000);
            while (perSecond.size() <= s) {
                perSecond.add(0L);
            }
            perSecond.set(s, perSecond.get(s) + 1);
        }
        return perSecond;
    }

    private void print(ChaosRun run) {
        ChaosRun.Totals t = run.totals();
        out.printf(
                Locale.ROOT,
                "chaos: %d faults; broker started %d times%s%n",
                run.faults().size(),
                run.brokerIncarnations(),
                run.brokerExits() > 0 ? ", exited on its own " + run.brokerExits() + " times" : "");
        run.recovery()
                .forEach((kind, r) -> out.printf(
                        Locale.ROOT,
                        "chaos: recovery after %-10s n=%d p50=%d ms max=%d ms%s%n",
                        kind,
                        r.count(),
                        r.p50Millis(),
                        r.maxMillis(),
                        r.recovered() < r.count() ? " (" + (r.count() - r.recovered()) + " never recovered)" : ""));
        out.printf(
                Locale.ROOT,
                "chaos: attempted %d, acknowledged %d, delivered %d, duplicated %d (%.2f%%), recovered "
                        + "%d (delivered though never acknowledged)%n",
                t.attempted(),
                t.acknowledged(),
                t.delivered(),
                t.duplicated(),
                100 * t.duplicateRate(),
                t.recovered());
        if (t.lost() > 0) {
            out.println("chaos: LOST " + t.lost() + ", e.g. " + String.join(" ", t.lostSamples()));
        }
        if (t.unexpected() > 0) {
            out.println("chaos: UNEXPECTED " + t.unexpected() + ", e.g. " + String.join(" ", t.unexpectedSamples()));
        }
        out.println(
                run.valid()
                        ? "chaos: valid: nothing acknowledged was lost, nothing unexpected was delivered"
                        : "chaos: INVALID");
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
