package dev.courier.benchmark;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./courier bench ...}: the load-test harness. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Load tests for Courier and the systems it is compared with.",
        subcommands = {RpcBench.class, CallBench.class, MqBench.class, RegistryBench.class, JmhBench.class})
public final class BenchMain implements Runnable {

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    public static void main(String[] args) {
        // The peers' clients log their whole configuration at INFO; keep the progress lines readable.
        for (String noisy : new String[] {"org.apache.kafka", "org.apache.dubbo", "io.grpc"}) {
            String key = "org.slf4j.simpleLogger.log." + noisy;
            if (System.getProperty(key) == null) {
                System.setProperty(key, "warn");
            }
        }
        System.exit(new CommandLine(new BenchMain()).execute(args));
    }
}
