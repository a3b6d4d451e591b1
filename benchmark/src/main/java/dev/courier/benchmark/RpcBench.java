package dev.courier.benchmark;

import dev.courier.benchmark.load.LoadResult;
import dev.courier.benchmark.load.LoadRunner;
import dev.courier.benchmark.report.HtmlReport;
import dev.courier.benchmark.report.Result;
import dev.courier.benchmark.rpc.BenchTls;
import dev.courier.benchmark.rpc.RpcSystem;
import dev.courier.benchmark.rpc.TimingBreakdown;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

    @Option(names = "--connections", description = "Connections from client to server (default ${DEFAULT-VALUE}).")
    int connections = 1;

    @Option(
            names = "--rate",
            description = "Open loop: total calls per second at a fixed rate, latency from the "
                    + "intended send time (default 0 = closed loop).")
    double rate;

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
                    Result result = new Result(
                            name,
                            scenario,
                            payload,
                            callers,
                            r.throughput(),
                            r.p(50),
                            r.p(90),
                            r.p(99),
                            r.p(99.9),
                            r.latencyMicros().getMaxValue(),
                            r.errors(),
                            r.cpuCores());
                    System.out.printf(
                            "   %s: %.0f calls/s  p50 %d  p90 %d  p99 %d  p99.9 %d  max %d us  errors %d"
                                    + "  CPU %.0f%%%n",
                            label,
                            r.throughput(),
                            r.p(50),
                            r.p(90),
                            r.p(99),
                            r.p(99.9),
                            r.latencyMicros().getMaxValue(),
                            r.errors(),
                            100 * r.cpuCores());
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
