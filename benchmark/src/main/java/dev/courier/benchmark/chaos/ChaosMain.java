package dev.courier.benchmark.chaos;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./courier chaos ...}: the fault harness. */
@Command(
        name = "chaos",
        mixinStandardHelpOptions = true,
        description = "Fault harness: drives real broker processes through faults and checks every message.",
        subcommands = {ChaosBroker.class})
public final class ChaosMain implements Runnable {

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new ChaosMain()).execute(args));
    }
}
