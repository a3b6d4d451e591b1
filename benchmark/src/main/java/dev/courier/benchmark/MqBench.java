package dev.courier.benchmark;

import dev.courier.benchmark.load.LoadResult;
import dev.courier.benchmark.load.LoadRunner;
import dev.courier.benchmark.mq.CourierMq;
import dev.courier.benchmark.mq.MqSystem;
import dev.courier.benchmark.mq.TopicScale;
import dev.courier.benchmark.report.HtmlReport;
import dev.courier.benchmark.report.Result;
import dev.courier.rpc.TlsOptions;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code ./courier bench mq}: durable publishing (acknowledged only after fsync) of fixed-size
 * messages, then end-to-end latency at a fixed rate. With {@code --compare} each system runs in a fresh
 * JVM; the raw-disk baseline is reported as {@code system=disk-limit} with a {@code LIMIT} line. With
 * {@code --broker} it measures a running broker ({@code system=courier-broker}) instead of starting one.
 */
@Command(
        name = "mq",
        mixinStandardHelpOptions = true,
        description = "Durable publish load test; --compare runs Courier, Kafka and the raw-disk limit.")
final class MqBench implements java.util.concurrent.Callable<Integer> {

    @Spec
    CommandSpec spec;

    private static final int E2E_CALLERS = 256;
    /** The keyed scenario: keys, competing consumers of its key-ordered subscription, bytes its payload needs. */
    static final int KEYS = 100;

    static final int KEYED_CONSUMERS = 3;
    private static final int KEYED_HEADER = 20;
    /** The delayed scenario: delays spread evenly over 0 to this. */
    static final long MAX_DELAY_MILLIS = 2_000;

    @Option(
            names = "--system",
            split = ",",
            description = "Systems (default courier; with --compare all). " + "Known: courier, kafka, disk-limit")
    List<String> systems = new ArrayList<>();

    @Option(names = "--compare", description = "Run every known system, each in a fresh JVM.")
    boolean compare;

    @Option(names = "--quick", description = "Short phases.")
    boolean quick;

    @Option(names = "--duration", description = "Measured seconds per phase (default ${DEFAULT-VALUE}).")
    int duration = 10;

    /*
     * On a 2-core machine the JIT still spends about one core on C2 compilations for the first ~15 s of a
     * broker run (Kryo, the pipeline, the log), so a shorter warm-up measures the compiler as much as the
     * system.
     */
    @Option(names = "--warmup", description = "Warm-up seconds per phase (default ${DEFAULT-VALUE}).")
    int warmup = 15;

    @Option(names = "--size", description = "Message size in bytes (default ${DEFAULT-VALUE}).")
    int size = 1024;

    @Option(names = "--in-flight", description = "Publishes outstanding at once (default ${DEFAULT-VALUE}).")
    int inFlight = 256;

    @Option(
            names = "--e2e-rate",
            description = "Messages per second of the end-to-end phase (default ${DEFAULT-VALUE}).")
    int e2eRate = 5000;

    @Option(
            names = "--data-dir",
            description = "Where the systems keep their data (default: a new temporary directory).")
    Path dataDir;

    @Option(names = "--report", description = "Write results.json and index.html into this directory.")
    Path report;

    @Option(
            names = "--topics",
            split = ",",
            paramLabel = "N",
            description = "Cost per topic instead of the usual scenarios: for each N, in a fresh JVM, durable publish"
                    + " spread over N topics with an idle subscription each; RESULT lines carry topics=N, the JVM's"
                    + " threads and heap after the run, the idle heap per topic and per subscription, and the"
                    + " broker's restart time on that data. Courier only.")
    List<Integer> topicCounts = new ArrayList<>();

    @Option(names = "--child", hidden = true)
    boolean child;

    @Option(
            names = "--broker",
            paramLabel = "HOST:PORT",
            description = "Measure this running broker instead of"
                    + " starting one: durable publishes to --topic, then end-to-end through a new subscription of it"
                    + " (e2e-<time>; the broker keeps it). Use a topic set apart for the benchmark.")
    String broker;

    @Option(names = "--topic", description = "Topic on --broker (default ${DEFAULT-VALUE}).")
    String topic = "courier-bench";

    @Option(names = "--token", description = "Bearer token for --broker.")
    String token;

    @Option(names = "--tls-ca", description = "TLS to --broker: the CA (PEM) its certificate is signed by.")
    Path tlsCa;

    @Override
    public Integer call() throws Exception {
        if (quick) {
            warmup = Math.min(warmup, 2);
            duration = Math.min(duration, 4);
        }
        if (broker != null && (compare || !systems.isEmpty())) {
            throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(), "--broker measures one running broker: leave out --compare and --system");
        }
        if (!topicCounts.isEmpty()) {
            return topics();
        }
        if (systems.isEmpty()) {
            systems = compare ? MqSystem.KNOWN : List.of(broker != null ? "courier-broker" : "courier");
        }
        List<Result> results = new ArrayList<>();
        for (String system : systems) {
            if (compare && !child) {
                results.addAll(ChildJvm.run(system, childArgs("--system", system, "--e2e-rate", "" + e2eRate)));
            } else {
                results.addAll(runHere(system));
            }
        }
        if (!child) {
            System.out.println();
            results.forEach(r -> System.out.println(r.line()));
            Result.ratios(results).forEach(System.out::println);
            Result.limits(results).forEach(System.out::println);
            if (report != null) {
                HtmlReport.write(report, "Courier broker benchmark", results);
                System.out.println(
                        "report written to " + report.toAbsolutePath().resolve("index.html"));
            }
        }
        return results.stream().mapToLong(Result::errors).sum() == 0 ? 0 : 3;
    }

    /** The arguments of a child run: {@code what}, then this run's phase lengths, sizes and data directory. */
    private List<String> childArgs(String... what) {
        List<String> args = new ArrayList<>(List.of("mq", "--child"));
        args.addAll(List.of(what));
        args.addAll(List.of(
                "--duration",
                "" + duration,
                "--warmup",
                "" + warmup,
                "--size",
                "" + size,
                "--in-flight",
                "" + inFlight));
        if (dataDir != null) {
            args.addAll(List.of("--data-dir", dataDir.toString()));
        }
        return args;
    }

    /** {@code --topics}: one run per count, each in a fresh JVM so that its heap and threads are its own. */
    private int topics() throws Exception {
        if (broker != null || compare || !(systems.isEmpty() || systems.equals(List.of("courier")))) {
            throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(),
                    "--topics measures the embedded Courier broker: leave out --broker, --compare" + " and --system");
        }
        if (topicCounts.stream().anyMatch(n -> n < 1)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--topics counts must be at least 1");
        }
        List<Result> results = new ArrayList<>();
        for (int n : topicCounts) {
            if (child) {
                results.add(topicsHere(n));
            } else {
                results.addAll(ChildJvm.run("courier --topics " + n, childArgs("--topics", "" + n)));
            }
        }
        if (child) {
            results.forEach(r -> System.out.println(r.fullLine()));
            return 0;
        }
        System.out.println();
        results.forEach(r -> System.out.println(r.line()));
        topicRatios(results).forEach(System.out::println);
        if (report != null) {
            HtmlReport.write(report, "Courier broker: cost per topic", results);
            System.out.println("report written to " + report.toAbsolutePath().resolve("index.html"));
        }
        return results.stream().mapToLong(Result::errors).sum() == 0 ? 0 : 3;
    }

    /**
     * One {@code TOPICS topics=N vs_one_topic=x.xx} line per count but 1: its durable publish throughput over
     * that of one topic, when one topic ran too.
     */
    static List<String> topicRatios(List<Result> results) {
        Result one = results.stream()
                .filter(r -> "1".equals(r.extra().get("topics")))
                .findFirst()
                .orElse(null);
        if (one == null) {
            return List.of();
        }
        return results.stream()
                .filter(r -> r != one && r.extra().containsKey("topics"))
                .map(r -> String.format(
                        Locale.ROOT,
                        "TOPICS topics=%s vs_one_topic=%.2f",
                        r.extra().get("topics"),
                        r.throughput() / one.throughput()))
                .toList();
    }

    private Result topicsHere(int topics) throws Exception {
        Path dir = dataDir == null
                ? Files.createTempDirectory("courier-bench-topics-")
                : Files.createDirectories(dataDir).resolve("topics-" + topics + "-" + System.nanoTime());
        Files.createDirectories(dir);
        try {
            byte[] payload = new byte[size];
            java.util.Arrays.fill(payload, (byte) 'm');
            TopicScale.Figures f = TopicScale.run(topics, payload, inFlight, warmup, duration, dir, System.out);
            LoadResult r = f.publish();
            return report("courier", "publish-" + size + "B-topics-" + topics, size, inFlight, r, r.latencyMicros())
                    .with(f.fields());
        } finally {
            deleteTree(dir);
        }
    }

    private MqSystem system(String name) {
        if (broker == null) {
            return MqSystem.named(name);
        }
        return CourierMq.remote(
                broker, tlsCa == null ? null : TlsOptions.builder().trust(tlsCa).build(), token, topic);
    }

    private List<Result> runHere(String name) throws Exception {
        Path dir = dataDir == null
                ? Files.createTempDirectory("courier-bench-mq-")
                : Files.createDirectories(dataDir).resolve(name + "-" + System.nanoTime());
        Files.createDirectories(dir);
        List<Result> results = new ArrayList<>();
        try (MqSystem system = system(name)) {
            system.start(dir);
            byte[] payload = new byte[size];
            java.util.Arrays.fill(payload, (byte) 'm');

            String scenario = "publish-" + size + "B";
            String label = name + " " + scenario;
            System.out.println("== " + label + ", " + inFlight + " in flight: warm-up " + warmup + " s, measure "
                    + duration + " s");
            LoadResult r = new LoadRunner(inFlight, 0, System.out)
                    .run(() -> system.publishDurably(payload), warmup, duration, label);
            results.add(report(name, scenario, size, inFlight, r, r.latencyMicros()));

            String e2e = "e2e-" + size + "B-" + e2eRate + "ps";
            label = name + " " + e2e;
            System.out.println("== " + label + ": warm-up " + warmup + " s, measure " + duration + " s");
            Histogram delivered = system.startEndToEnd();
            // Enough callers that a slow acknowledgement does not hold the fixed rate back.
            LoadResult er = new LoadRunner(E2E_CALLERS, e2eRate, System.out)
                    .run(
                            () -> {
                                byte[] stamped = payload.clone();
                                ByteBuffer.wrap(stamped).putLong(System.nanoTime());
                                system.publishDurably(stamped);
                            },
                            warmup,
                            duration,
                            label,
                            () -> {
                                if (delivered != null) {
                                    synchronized (delivered) {
                                        delivered.reset(); // deliveries during the warm-up are not measured
                                    }
                                }
                            });
            Histogram latency = er.latencyMicros();
            if (delivered != null) {
                synchronized (delivered) {
                    latency = delivered.copy();
                }
            }
            results.add(report(name, e2e, size, E2E_CALLERS, er, latency));

            MqSystem.Keyed keyed = system.startKeyed(KEYS, KEYED_CONSUMERS);
            if (keyed != null) {
                String keyedScenario = "keyed-" + KEYS + "k-" + KEYED_CONSUMERS + "c-" + Math.max(size, KEYED_HEADER)
                        + "B-" + e2eRate + "ps";
                label = name + " " + keyedScenario;
                System.out.println(
                        "== " + label + " (key order): warm-up " + warmup + " s, measure " + duration + " s");
                byte[] keyedPayload = new byte[Math.max(size, KEYED_HEADER)];
                LoadResult kr = new LoadRunner(E2E_CALLERS, e2eRate, System.out)
                        .run(() -> keyed.publish(keyedPayload), warmup, duration, label, keyed::reset);
                long outOfOrder = keyed.outOfOrder();
                if (outOfOrder > 0) {
                    System.out.println("   " + outOfOrder + " messages arrived before an earlier one of their key");
                }
                LoadResult counted = new LoadResult(
                        kr.latencyMicros(),
                        kr.calls(),
                        kr.errors() + outOfOrder,
                        kr.seconds(),
                        kr.cpuSeconds(),
                        kr.errorsByKind());
                results.add(report(name, keyedScenario, keyedPayload.length, E2E_CALLERS, counted, keyed.latency()));
            }

            MqSystem.Delayed delayed = system.startDelayed(MAX_DELAY_MILLIS);
            if (delayed != null) {
                String delayedScenario =
                        "delayed-0-" + MAX_DELAY_MILLIS + "ms-" + Math.max(size, 16) + "B-" + e2eRate + "ps";
                label = name + " " + delayedScenario;
                System.out.println("== " + label + " (lateness after the due time): warm-up " + warmup + " s, measure "
                        + duration + " s");
                byte[] delayedPayload = new byte[Math.max(size, 16)];
                LoadResult dr = new LoadRunner(E2E_CALLERS, e2eRate, System.out)
                        .run(() -> delayed.publish(delayedPayload), warmup, duration, label, delayed::reset);
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_DELAY_MILLIS + 10_000);
                while (delayed.received() < delayed.published() && System.nanoTime() < deadline) {
                    Thread.sleep(50); // the last messages are due up to MAX_DELAY_MILLIS after the phase
                }
                long missing = delayed.published() - delayed.received();
                if (missing > 0 || delayed.early() > 0) {
                    System.out.println("   " + missing + " delayed messages not received, " + delayed.early()
                            + " received before their due time");
                }
                LoadResult counted = new LoadResult(
                        dr.latencyMicros(),
                        dr.calls(),
                        dr.errors() + Math.max(0, missing) + delayed.early(),
                        dr.seconds(),
                        dr.cpuSeconds(),
                        dr.errorsByKind());
                results.add(
                        report(name, delayedScenario, delayedPayload.length, E2E_CALLERS, counted, delayed.lateness()));
            }
        } finally {
            deleteTree(dir);
        }
        if (child) {
            results.forEach(res -> System.out.println(res.fullLine()));
        }
        return results;
    }

    private static Result report(
            String system, String scenario, int size, int concurrency, LoadResult r, Histogram latency) {
        Result result = new Result(
                system,
                scenario,
                size,
                concurrency,
                r.throughput(),
                latency.getValueAtPercentile(50),
                latency.getValueAtPercentile(90),
                latency.getValueAtPercentile(99),
                latency.getValueAtPercentile(99.9),
                latency.getMaxValue(),
                r.errors(),
                r.cpuCores());
        System.out.printf(
                Locale.ROOT,
                "   %s %s: %.0f msgs/s (%.1f MB/s)  p50 %d  p99 %d  p99.9 %d us  errors %d%n",
                system,
                scenario,
                r.throughput(),
                r.throughput() * size / 1e6,
                result.p50Micros(),
                result.p99Micros(),
                result.p999Micros(),
                r.errors());
        return result;
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
