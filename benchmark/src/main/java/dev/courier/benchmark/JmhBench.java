package dev.courier.benchmark;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code ./courier bench jmh [pattern]}: the JMH microbenchmarks, with allocation per operation. */
@Command(
        name = "jmh",
        mixinStandardHelpOptions = true,
        description = "Runs the JMH microbenchmarks (frame codec, serializers, proxies, metrics recording, server "
                + "limits, storage append and restart) with -prof gc.")
final class JmhBench implements Callable<Integer> {

    @Parameters(arity = "0..1", description = "Regular expression selecting benchmarks (default: all).")
    String pattern = "dev.courier.benchmark.jmh.*";

    @Option(names = "--quick", description = "1 fork, 2 warm-up and 3 measured iterations of 1 s.")
    boolean quick;

    @Option(names = "--jmh", split = " ", description = "Extra JMH arguments, e.g. --jmh \"-rf json\".")
    List<String> extra = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        List<String> args = new ArrayList<>(List.of(pattern, "-prof", "gc"));
        if (quick) {
            args.addAll(List.of("-f", "1", "-wi", "2", "-i", "3", "-w", "1s", "-r", "1s"));
        }
        args.addAll(extra);
        org.openjdk.jmh.Main.main(args.toArray(new String[0]));
        return 0;
    }
}
