package dev.courier.benchmark;

import dev.courier.benchmark.load.LoadResult;
import dev.courier.benchmark.load.LoadRunner;
import dev.courier.benchmark.report.HtmlReport;
import dev.courier.benchmark.report.Result;
import dev.courier.benchmark.rpc.BenchTls;
import dev.courier.benchmark.rpc.ConnectionFootprint;
import dev.courier.benchmark.rpc.RpcSystem;
import dev.courier.benchmark.rpc.TimingBreakdown;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code ./courier bench rpc}: unary echo of a byte array, client and server in one JVM on loopback.
 * With {@code --compare} every system runs in a fresh JVM with the same heap flags, one after another.
 */
@Command(
        name = "rpc",
        mixinStandardHelpOptions = true,
        description = "Unary echo load test; --compare runs Courier and its peers side by side.")
final class RpcBench implements Callable<Integer> {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--system",
            split = ",",
            description = "Systems to run (default courier-kryo; with --compare all). "
                    + "Known: courier-kryo, courier-protostuff, courier-kryo-ioexec, grpc-direct, grpc-default, "
                    + "dubbo-hessian2, dubbo-fastjson2, netty-raw (Courier's frames over bare Netty: the limit); "
                    + "and courier-kryo-metrics (meters in a Prometheus registry)")
    List<String> systems = new ArrayList<>();

    @Option(
            names = "--compare",
            description = "Run every known system, each in a fresh JVM, and print RATIO lines (Courier over the best"
                    + " peer) and LIMIT lines (Courier over netty-raw).")
    boolean compare;

    @Option(names = "--quick", description = "Short phases and fewer configurations (a compare run takes < 3 min).")
    boolean quick;

    @Option(names = "--duration", description = "Measured seconds per configuration (default ${DEFAULT-VALUE}).")
    int duration = 10;

    @Option(names = "--warmup", description = "Warm-up seconds per configuration (default ${DEFAULT-VALUE}).")
    int warmup = 5;

    @Option(names = "--concurrency", split = ",", description = "Concurrent callers (default 1,16,128).")
    List<Integer> concurrency = new ArrayList<>();

    @Option(names = "--payload", split = ",", description = "Payload sizes in bytes (default 100,4096).")
    List<Integer> payloads = new ArrayList<>();

    @Option(
            names = "--connections",
            description = "Connections from client to server (default ${DEFAULT-VALUE}). With more than one,"
                    + " each system is first measured idle with one connection and with this many: the heap,"
                    + " direct memory and threads a connection adds (RESULT fields heap_per_connection_kib,"
                    + " direct_per_connection_kib, threads_added).")
    int connections = 1;

    @Option(
            names = "--rate",
            description = "Open loop: total calls per second at a fixed rate, latency from the "
                    + "intended send time (default 0 = closed loop).")
    double rate;

    @Option(
            names = "--interleave",
            paramLabel = "ROUNDS",
            description = "Run the --system list (two or more) in this one JVM: after a warm-up of each, every"
                    + " configuration in ROUNDS rounds of --duration/ROUNDS s (at least 1) per system, in alternating"
                    + " order, and print PAIR lines: each system's throughput over the first's (geometric mean, min and"
                    + " max over rounds). For the cost of a feature, e.g. --system courier-kryo,courier-kryo-metrics,"
                    + " without the drift between separate JVMs.")
    int interleave;

    @Option(names = "--report", description = "Write results.json and index.html (charts) into this directory.")
    Path report;

    @Option(names = "--child", hidden = true, description = "Internal: run as a compared system's JVM.")
    boolean child;

    @Option(
            names = "--tls",
            description = "TLS on both sides (certificates of a development CA made for the run);"
                    + " with --compare, Courier and gRPC-java only (Dubbo is left out).")
    boolean tls;

    @Option(names = "--tls-dir", hidden = true, description = "Internal: where the run's certificates are.")
    Path tlsDir;

    private BenchTls certificates;

    @Override
    public Integer call() throws Exception {
        if (quick) {
            warmup = Math.min(warmup, 2);
            duration = Math.min(duration, 3);
        }
        if (concurrency.isEmpty()) {
            concurrency = quick ? List.of(1, 128) : List.of(1, 16, 128);
        }
        if (payloads.isEmpty()) {
            payloads = List.of(100, 4096);
        }
        if (systems.isEmpty()) {
            systems = !compare ? List.of("courier-kryo") : tls ? RpcSystem.TLS_CAPABLE : RpcSystem.KNOWN;
        }
        if (tls) {
            if (tlsDir == null) {
                tlsDir = java.nio.file.Files.createTempDirectory("courier-bench-tls");
            }
            certificates = BenchTls.in(tlsDir);
            if (!child) {
                System.out.println("TLS on both sides; certificates in " + tlsDir + "; Courier's TLS: "
                        + dev.courier.rpc.TlsOptions.describe(dev.courier.rpc.TlsOptions.Provider.AUTO)
                        + "; gRPC-java's: "
                        + (io.grpc.netty.shaded.io.netty.handler.ssl.OpenSsl.isAvailable()
                                ? "OpenSSL (" + io.grpc.netty.shaded.io.netty.handler.ssl.OpenSsl.versionString() + ")"
                                : "JDK"));
            }
        }
        if (interleave > 0) {
            if (systems.size() < 2 || compare) {
                throw new picocli.CommandLine.ParameterException(
                        spec.commandLine(), "--interleave takes two or more --system names and no --compare");
            }
            return runInterleaved();
        }
        List<Result> results = new ArrayList<>();
        for (String system : systems) {
            if (compare && !child) {
                results.addAll(runChild(system));
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
                HtmlReport.write(report, "Courier RPC benchmark", results);
                System.out.println(
                        "report written to " + report.toAbsolutePath().resolve("index.html"));
            }
        }
        long errors = results.stream().mapToLong(Result::errors).sum();
        return errors == 0 ? 0 : 3;
    }

    private List<Result> runHere(String requested) throws Exception {
        List<Result> results = new ArrayList<>();
        java.util.Map<String, String> extra = new java.util.LinkedHashMap<>();
        if (connections > 1) {
            extra.put("connections", Integer.toString(connections));
            ConnectionFootprint footprint = ConnectionFootprint.measure(requested, certificates, connections);
            System.out.println("   " + requested + ": " + footprint.line());
            extra.putAll(footprint.fields());
        }
        try (RpcSystem system = RpcSystem.named(requested, certificates)) {
            String name = system.name();
            RpcSystem.Echo echo = system.start(connections);
            for (int payload : payloads) {
                byte[] message = new byte[payload];
                java.util.Arrays.fill(message, (byte) 'x');
                for (int callers : concurrency) {
                    String scenario = "echo-" + payload + "B-c" + callers;
                    String label = name + " " + scenario;
                    System.out.println("== " + label + (rate > 0 ? " at " + rate + "/s" : "") + ": warm-up " + warmup
                            + " s, measure " + duration + " s");
                    TimingBreakdown breakdown = system.breakdown();
                    LoadResult r = new LoadRunner(callers, rate, System.out)
                            .run(() -> echo.echo(message), warmup, duration, label, () -> {
                                if (breakdown != null) {
                                    breakdown.reset();
                                }
                            });
                    Result result = r.result(name, scenario, payload, callers).with(extra);
                    System.out.printf(Locale.ROOT, "   %s: %s  CPU %.0f%%%n", label, r.summary(), 100 * r.cpuCores());
                    if (breakdown != null) {
                        System.out.println(
                                "   " + label + ": " + breakdown.shares().line());
                    }
                    if (child) {
                        System.out.println(result.fullLine());
                    }
                    results.add(result);
                }
            }
        }
        return results;
    }

    private int runInterleaved() throws Exception {
        List<RpcSystem> running = new ArrayList<>();
        List<RpcSystem.Echo> echoes = new ArrayList<>();
        java.io.PrintStream quiet = new java.io.PrintStream(java.io.OutputStream.nullOutputStream());
        int slice = Math.max(1, duration / interleave);
        long errors = 0;
        List<String> pairs = new ArrayList<>();
        try {
            for (String name : systems) {
                RpcSystem system = RpcSystem.named(name, certificates);
                running.add(system);
                echoes.add(system.start(connections));
            }
            for (int payload : payloads) {
                byte[] message = new byte[payload];
                java.util.Arrays.fill(message, (byte) 'x');
                for (int callers : concurrency) {
                    String scenario = "echo-" + payload + "B-c" + callers;
                    System.out.println("== " + scenario + ": warm-up " + warmup + " s each, then " + interleave
                            + " rounds of " + slice + " s each");
                    for (int i = 0; i < running.size(); i++) {
                        RpcSystem.Echo echo = echoes.get(i);
                        errors += new LoadRunner(callers, rate, quiet)
                                .run(() -> echo.echo(message), warmup, 1, scenario)
                                .errors();
                    }
                    double[][] throughput = new double[interleave][running.size()];
                    for (int round = 0; round < interleave; round++) {
                        StringBuilder line = new StringBuilder("   round " + (round + 1) + ":");
                        for (int k = 0; k < running.size(); k++) {
                            // ABBA: every other round runs the systems in reverse order
                            int i = round % 2 == 0 ? k : running.size() - 1 - k;
                            RpcSystem.Echo echo = echoes.get(i);
                            LoadResult r = new LoadRunner(callers, rate, quiet)
                                    .run(() -> echo.echo(message), 1, slice, scenario);
                            errors += r.errors();
                            throughput[round][i] = r.throughput();
                        }
                        for (int i = 0; i < running.size(); i++) {
                            line.append(String.format(" %s %.0f", running.get(i).name(), throughput[round][i]));
                        }
                        System.out.println(line);
                    }
                    for (int i = 1; i < running.size(); i++) {
                        double[] ratios = new double[interleave];
                        for (int round = 0; round < interleave; round++) {
                            ratios[round] = throughput[round][i] / throughput[round][0];
                        }
                        pairs.add(pairLine(
                                scenario, running.get(i).name(), running.get(0).name(), ratios));
                    }
                }
            }
        } finally {
            for (RpcSystem system : running) {
                system.close();
            }
        }
        System.out.println();
        pairs.forEach(System.out::println);
        return errors == 0 ? 0 : 3;
    }

    /** {@code PAIR scenario=S system=X base=B ratio=G min=M max=X rounds=N}: X's throughput over B's, per round. */
    static String pairLine(String scenario, String system, String base, double[] ratios) {
        double logs = 0;
        double min = Double.MAX_VALUE;
        double max = 0;
        for (double r : ratios) {
            logs += Math.log(r);
            min = Math.min(min, r);
            max = Math.max(max, r);
        }
        return String.format(
                java.util.Locale.ROOT,
                "PAIR scenario=%s system=%s base=%s ratio=%.3f min=%.3f max=%.3f rounds=%d",
                scenario,
                system,
                base,
                Math.exp(logs / ratios.length),
                min,
                max,
                ratios.length);
    }

    private List<Result> runChild(String system) throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "rpc",
                "--child",
                "--system",
                system,
                "--duration",
                "" + duration,
                "--warmup",
                "" + warmup,
                "--connections",
                "" + connections,
                "--rate",
                "" + rate,
                "--concurrency",
                join(concurrency),
                "--payload",
                join(payloads)));
        if (tls) {
            args.addAll(List.of("--tls", "--tls-dir", tlsDir.toString()));
        }
        return ChildJvm.run(system, args);
    }

    static String join(List<Integer> values) {
        return String.join(",", values.stream().map(String::valueOf).toList());
    }
}
