package dev.courier.benchmark;

import dev.courier.benchmark.load.LoadResult;
import dev.courier.benchmark.load.LoadRunner;
import dev.courier.benchmark.report.HtmlReport;
import dev.courier.benchmark.report.Result;
import dev.courier.cli.CallOutcome;
import dev.courier.cli.ClientOptions;
import dev.courier.cli.ServiceMethod;
import dev.courier.registry.Registry;
import dev.courier.rpc.GenericClient;
import dev.courier.rpc.RpcClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code ./courier bench call}: load on a user's own service, as ghz or wrk put it on theirs. Each call
 * is a generic call (so the service's classes are not needed) through the registry's providers with
 * the client's balancing, or to one {@code --address}; closed loop over {@code --concurrency} callers,
 * or open loop at {@code --rate} calls per second with latency from the intended send time. Live
 * progress each second, HdrHistogram percentiles, failed calls counted by status, an HTML report.
 */
@Command(
        name = "call",
        sortOptions = false,
        description = "Load-tests SERVICE/METHOD of a running service through generic calls. JSON-ARGS is a"
                + " template: {{n}} becomes the call's number (0, 1, 2, ...), so arguments vary per call.")
final class CallBench implements Callable<Integer> {

    /** Where a call's number goes in the arguments. */
    static final String COUNTER = "{{n}}";

    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions options;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Show this help.")
    boolean help;

    @Option(names = "--concurrency", description = "Concurrent callers (default ${DEFAULT-VALUE}).")
    int concurrency = 16;

    @Option(
            names = "--rate",
            description = "Open loop: total calls per second at a fixed rate, latency from the"
                    + " intended send time (default 0 = closed loop).")
    double rate;

    @Option(names = "--duration", description = "Measured seconds (default ${DEFAULT-VALUE}).")
    int duration = 10;

    @Option(names = "--warmup", description = "Warm-up seconds, not measured (default ${DEFAULT-VALUE}).")
    int warmup = 2;

    @Option(names = "--report", description = "Write results.json and index.html into this directory.")
    Path report;

    @Parameters(index = "0", paramLabel = "SERVICE/METHOD", description = "For example demo.UserService/getUser.")
    String target;

    @Parameters(
            index = "1",
            arity = "0..1",
            paramLabel = "JSON-ARGS",
            defaultValue = "[]",
            description = "A JSON array of the arguments; {{n}} is replaced by the call's number.")
    String template;

    @Override
    public Integer call() throws Exception {
        options.requireTarget();
        if (concurrency < 1 || duration < 1 || warmup < 0 || rate < 0) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--concurrency and --duration must be at least 1," + " --warmup and --rate not negative");
        }
        ServiceMethod call = ServiceMethod.parse(target, spec.commandLine());
        String service = call.service();
        String method = call.method();
        String label = "courier-generic " + target;
        AtomicLong counter = new AtomicLong();
        try (Registry registry = options.connectRegistry();
                RpcClient client = options.rpcClient(registry)) {
            GenericClient generic = options.generic(client);
            System.out.println("== " + label + (rate > 0 ? " at " + rate + "/s" : " with " + concurrency + " callers")
                    + ": warm-up " + warmup + " s, measure " + duration + " s");
            LoadResult r = new LoadRunner(
                            concurrency,
                            rate,
                            System.out,
                            e -> CallOutcome.of(e).label())
                    .run(
                            () -> generic.invokeJson(service, method, arguments(template, counter.getAndIncrement())),
                            warmup,
                            duration,
                            label);
            String scenario = target + (rate > 0 ? "-r" + (long) rate : "-c" + concurrency);
            Result result = r.result("courier-generic", scenario, template.length(), concurrency);
            System.out.println("   " + label + ": " + r.summary());
            if (!r.errorsByKind().isEmpty()) {
                System.out.println("   " + label + ": failed calls by status " + errors(r.errorsByKind()));
            }
            System.out.println();
            System.out.println(result.line());
            if (report != null) {
                HtmlReport.write(report, "Courier load test of " + target, List.of(result), r.errorsByKind());
                System.out.println(
                        "report written to " + report.toAbsolutePath().resolve("index.html"));
            }
            return r.errors() == 0 ? 0 : 3;
        }
    }

    /** {@code template} with every {@value #COUNTER} replaced by {@code n}. */
    static String arguments(String template, long n) {
        return template.contains(COUNTER) ? template.replace(COUNTER, Long.toString(n)) : template;
    }

    /** {@code deadline_exceeded=3 remote_exception=1}. */
    static String errors(Map<String, Long> byKind) {
        StringBuilder sb = new StringBuilder();
        byKind.forEach((kind, n) ->
                sb.append(sb.isEmpty() ? "" : " ").append(kind).append('=').append(n));
        return sb.toString();
    }
}
