package dev.courier.benchmark;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./courier bench ...}: the load-test harness. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Load tests for Courier and the systems it is compared with.",
        subcommands = {RpcBench.class, MqBench.class, JmhBench.class})
public final class BenchMain implements Runnable {

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchMain()).execute(args));
    }
}
