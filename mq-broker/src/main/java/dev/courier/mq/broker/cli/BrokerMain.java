package dev.courier.mq.broker.cli;

import dev.courier.mq.broker.Broker;
import dev.courier.mq.broker.BrokerConfig;
import dev.courier.mq.broker.storage.FsyncPolicy;
import dev.courier.mq.broker.storage.LogConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code courier broker}: runs the broker daemon until SIGTERM/SIGINT, then shuts down gracefully
 * (stops accepting, finishes in-flight calls, forces logs and cursors, closes files).
 */
@Command(name = "broker", mixinStandardHelpOptions = true, description = "Runs the Courier message broker.")
public final class BrokerMain implements Callable<Integer> {

    @Option(names = "--data-dir", required = true, description = "Directory of topics and cursors.")
    Path dataDir;

    @Option(names = "--port", description = "Port to listen on (default: the config file's port, else 7400).")
    Integer port;

    @Option(names = "--host", defaultValue = "0.0.0.0", description = "Address to listen on (default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--fsync", description = "always | group | never (default group).")
    String fsync;

    @Option(names = "--segment-bytes", description = "Segment size before rolling (default 64 MiB).")
    Long segmentBytes;

    @Option(names = "--max-deliveries", description = "Deliveries before dead-lettering (default 16).")
    Integer maxDeliveries;

    @Option(names = "--config", description = "Optional properties file: fsync, segment.bytes, max.deliveries, port.")
    Path configFile;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Properties props = new Properties();
        if (configFile != null) {
            try (InputStream in = Files.newInputStream(configFile)) {
                props.load(in);
            }
        }
        String policy = fsync != null ? fsync : props.getProperty("fsync", "group");
        LogConfig.Builder log = LogConfig.builder().fsync(FsyncPolicy.parse(policy));
        long seg = segmentBytes != null ? segmentBytes : Long.parseLong(props.getProperty("segment.bytes", "67108864"));
        log.segmentBytes(seg);
        BrokerConfig.Builder config = BrokerConfig.builder(dataDir).log(log.build());
        int md = maxDeliveries != null ? maxDeliveries : Integer.parseInt(props.getProperty("max.deliveries", "16"));
        config.maxDeliveries(md);
        int listenPort = port != null ? port : Integer.parseInt(props.getProperty("port", "7400"));
        Broker broker = Broker.start(config.build(), host, listenPort);
        broker.recoveryReport().forEach(line -> System.err.println("courier broker: recovery: " + line));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            stopped.countDown();
        }, "courier-broker-shutdown"));
        System.out.println("courier broker: listening on " + host + ":" + broker.port() + ", data " + dataDir.toAbsolutePath()
                + ", fsync " + policy);
        System.out.flush();
        stopped.await();
        return 0;
    }

    public static void main(String[] args) {
        int code = new CommandLine(new BrokerMain()).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }
}
