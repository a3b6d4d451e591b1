package dev.courier.mq.broker.cli;

import dev.courier.mq.broker.Broker;
import dev.courier.mq.broker.BrokerConfig;
import dev.courier.mq.broker.storage.SimulatedDisk;
import dev.courier.rpc.RpcServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code courier broker}: runs the broker daemon until SIGTERM/SIGINT, then shuts down gracefully
 * (stops accepting, finishes in-flight calls, forces logs and cursors, closes files). Settings come from
 * flags, then the {@code --config} properties file, then defaults; see {@link BrokerSettings} for the keys.
 */
@Command(name = "broker", mixinStandardHelpOptions = true, description = "Runs the Courier message broker.")
public final class BrokerMain implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(BrokerMain.class);

    /** Exit code of a bad setting, as picocli's for a bad flag. */
    static final int EXIT_BAD_SETTING = 2;

    @Option(names = "--data-dir", required = true, description = "Directory of topics and cursors.")
    Path dataDir;

    @Option(
            names = "--config",
            description = "Optional properties file with the keys port, host, fsync, "
                    + "segment.bytes, max.deliveries, retention.bytes, retention.ms, session.timeout.ms, "
                    + "max.message.bytes, topic.<name>.retention.bytes, topic.<name>.retention.ms, "
                    + "tls.cert, tls.key, "
                    + "tls.client.ca, auth.tokens, acl.create and "
                    + "acl.topic.<name|*>.publish|consume|admin. Flags win over it.")
    Path configFile;

    @Option(names = "--port", description = "Port to listen on, 0 for any free one (default 7400).")
    Integer port;

    @Option(
            names = "--host",
            description = "Address to listen on (default 127.0.0.1). Another address needs TLS"
                    + " and authentication, or --insecure.")
    String host;

    @Option(names = "--tls-cert", description = "The broker's certificate chain (PEM): turns TLS on, with --tls-key.")
    Path tlsCert;

    @Option(names = "--tls-key", description = "The private key of --tls-cert (PEM, PKCS#8).")
    Path tlsKey;

    @Option(
            names = "--tls-client-ca",
            description = "CA (PEM) that client certificates must be signed by (mutual"
                    + " TLS; the certificate's CN is the client's principal).")
    Path tlsClientCa;

    @Option(
            names = "--auth-tokens",
            description = "File of lines 'TOKEN PRINCIPAL': clients authenticate with a" + " bearer token.")
    Path authTokens;

    @Option(
            names = "--insecure",
            description = "Allows listening on a non-loopback address without TLS and"
                    + " authentication (logged as a warning).")
    boolean insecure;

    @Option(names = "--fsync", description = "always | group | never (default group).")
    String fsync;

    @Option(names = "--segment-bytes", description = "Segment size before rolling (default 64 MiB).")
    Long segmentBytes;

    @Option(names = "--max-deliveries", description = "Deliveries before dead-lettering (default 16).")
    Integer maxDeliveries;

    @Option(names = "--retention-bytes", description = "Size limit of every topic in bytes, -1 for none (default).")
    Long retentionBytes;

    @Option(names = "--retention-ms", description = "Age limit of every topic's records, -1 for none (default).")
    Long retentionMs;

    @Option(names = "--message-ttl-ms", description = "Time to live of every topic's messages, 0 for none (default).")
    Long messageTtlMs;

    @Option(names = "--expired-action", description = "dead-letter | drop: what becomes of expired messages.")
    String expiredAction;

    @Option(names = "--session-timeout-ms", description = "A silent consumer is gone after this (default 15000).")
    Long sessionTimeoutMs;

    @Option(names = "--max-message-bytes", description = "The largest message a publish may carry (default 8 MiB).")
    Integer maxMessageBytes;

    @Option(
            names = "--simulate-disk-cache",
            description = "Testing mode: keep every write that was not forced in "
                    + "process memory only (a simulated volatile disk cache), so that killing the process is a "
                    + "power loss. "
                    + "The data directory then holds the simulated disk, not ordinary files.")
    boolean simulateDiskCache;

    @Option(
            names = "--disk-quota-file",
            description = "Testing mode, with --simulate-disk-cache: re-read about every "
                    + "100 ms; while it exists it holds the most bytes the simulated disk may hold (writes "
                    + "beyond fail as a full "
                    + "disk does).")
    Path diskQuotaFile;

    @Option(
            names = "--admin-port",
            description = "Opens the admin HTTP port (0: any free one): /metrics (Prometheus:"
                    + " per topic and subscription published, delivered, acknowledged, backlog, fsync latency, "
                    + "...), /live,"
                    + " /ready. Off by default.")
    Integer adminPort;

    @Option(
            names = "--admin-host",
            description = "Address of the admin port (default: ${DEFAULT-VALUE}).",
            defaultValue = "127.0.0.1")
    String adminHost;

    @Option(
            names = "--admin-token-file",
            description =
                    "File holding a bearer token the admin port requires on" + " every route but /live and /ready.")
    Path adminTokenFile;

    /** Mutation switch for the fault harness: proves that a power-loss check can see a missing fsync. */
    @Option(names = "--test-disable-group-fsync", hidden = true)
    boolean testDisableGroupFsync;

    /** The simulated disk this process runs on, or null. */
    private SimulatedDisk simulatedDisk;

    /** Reads the config file (if any) and resolves it with the flags. */
    BrokerSettings settings() throws IOException {
        Properties file = new Properties();
        if (configFile != null) {
            try (Reader in = Files.newBufferedReader(configFile)) {
                file.load(in);
            } catch (NoSuchFileException e) {
                throw new ConfigException("config file " + configFile + " does not exist", e);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("config file " + configFile + ": " + e.getMessage(), e);
            }
        }
        Map<String, String> flags = new LinkedHashMap<>();
        put(flags, BrokerSettings.PORT, port);
        put(flags, BrokerSettings.HOST, host);
        put(flags, BrokerSettings.FSYNC, fsync);
        put(flags, BrokerSettings.SEGMENT_BYTES, segmentBytes);
        put(flags, BrokerSettings.MAX_DELIVERIES, maxDeliveries);
        put(flags, BrokerSettings.RETENTION_BYTES, retentionBytes);
        put(flags, BrokerSettings.RETENTION_MS, retentionMs);
        put(flags, BrokerSettings.SESSION_TIMEOUT_MS, sessionTimeoutMs);
        put(flags, BrokerSettings.MAX_MESSAGE_BYTES, maxMessageBytes);
        put(flags, BrokerSettings.MESSAGE_TTL_MS, messageTtlMs);
        put(flags, BrokerSettings.EXPIRED_ACTION, expiredAction);
        put(flags, BrokerSettings.TLS_CERT, tlsCert);
        put(flags, BrokerSettings.TLS_KEY, tlsKey);
        put(flags, BrokerSettings.TLS_CLIENT_CA, tlsClientCa);
        put(flags, BrokerSettings.AUTH_TOKENS, authTokens);
        return BrokerSettings.resolve(dataDir, file, configFile == null ? null : configFile.toString(), flags);
    }

    private static void put(Map<String, String> flags, String key, Object value) {
        if (value != null) {
            flags.put(key, value.toString());
        }
    }

    /**
     * Starts the broker as configured and reports what recovery found; the caller owns (and closes) it.
     *
     * @throws ConfigException if a setting is unknown or bad
     */
    Broker start() throws IOException {
        BrokerSettings settings = settings();
        if (!RpcServer.isLoopback(settings.host()) && !settings.security().isSecure()) {
            String missing =
                    settings.security().tls() == null && settings.security().authenticator() == null
                            ? "TLS and authentication"
                            : settings.security().tls() == null ? "TLS" : "authentication";
            if (!insecure) {
                throw new ConfigException("listening on " + settings.host() + " without " + missing + " lets anyone"
                        + " on the network use the broker: add --tls-cert/--tls-key and --tls-client-ca or"
                        + " --auth-tokens, or pass --insecure to accept the risk");
            }
            log.warn(
                    "INSECURE: the broker listens on {} without {}; anyone who reaches the port may publish,"
                            + " consume and create topics",
                    settings.host(),
                    missing);
        }
        BrokerConfig config = settings.config();
        if (diskQuotaFile != null && !simulateDiskCache) {
            throw new ConfigException("--disk-quota-file needs --simulate-disk-cache");
        }
        if (testDisableGroupFsync) {
            System.err.println("courier broker: TESTING MODE: the group flusher does not fsync; acknowledged messages "
                    + "can be lost");
            BrokerConfig.Builder b = config.toBuilder()
                    .log(config.log().toBuilder().syncer(f -> {}).build());
            config.topicLogs()
                    .forEach((t, l) ->
                            b.topicLog(t, l.toBuilder().syncer(f -> {}).build()));
            config = b.build();
        }
        if (simulateDiskCache) {
            System.err.println("courier broker: TESTING MODE: simulated disk cache in " + dataDir.toAbsolutePath()
                    + "; unsynced writes live in memory and a kill of this process is a power loss");
            simulatedDisk = SimulatedDisk.open(dataDir);
            if (diskQuotaFile != null) {
                simulatedDisk.watchQuotaFile(diskQuotaFile, 100);
            }
            config = config.toBuilder().storage(simulatedDisk).build();
        }
        Broker broker;
        try {
            broker = Broker.start(config, settings.host(), settings.port(), settings.security());
        } catch (IOException | RuntimeException e) {
            closeDisk();
            throw e;
        }
        broker.recoveryReport().forEach(line -> System.err.println("courier broker: recovery: " + line));
        if (adminPort != null) {
            try {
                String token = adminTokenFile == null
                        ? null
                        : Files.readString(adminTokenFile).trim();
                if (!RpcServer.isLoopback(adminHost) && token == null) {
                    log.warn("The admin port on {} is reachable beyond this machine without a token", adminHost);
                }
                broker.openAdmin(adminHost, adminPort, token);
            } catch (IOException | RuntimeException e) {
                broker.close();
                closeDisk();
                throw e;
            }
        }
        return broker;
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        Broker broker;
        try {
            broker = start();
        } catch (ConfigException e) {
            System.err.println("courier broker: " + e.getMessage());
            return EXIT_BAD_SETTING;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            broker.close();
                            closeDisk();
                            stopped.countDown();
                        },
                        "courier-broker-shutdown"));
        System.out.println("courier broker: listening on " + broker.address().getHostString() + ":" + broker.port()
                + ", data " + dataDir.toAbsolutePath() + ", fsync "
                + broker.config().log().fsync().name().toLowerCase(Locale.ROOT));
        if (broker.adminPort() >= 0) {
            System.out.println("courier broker: admin on http://" + adminHost + ":" + broker.adminPort());
        }
        System.out.flush();
        stopped.await();
        return 0;
    }

    /** The simulated disk the broker started by {@link #start} runs on, or null; close it after the broker. */
    SimulatedDisk simulatedDisk() {
        return simulatedDisk;
    }

    private void closeDisk() {
        if (simulatedDisk != null) {
            simulatedDisk.close();
        }
    }

    public static void main(String[] args) {
        int code = new CommandLine(new BrokerMain()).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }
}
