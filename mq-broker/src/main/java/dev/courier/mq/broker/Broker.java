package dev.courier.mq.broker;

import dev.courier.mq.broker.internal.BrokerServiceImpl;
import dev.courier.mq.broker.internal.Topics;
import dev.courier.mq.client.protocol.BrokerService;
import dev.courier.mq.client.protocol.SubscriptionStats;
import dev.courier.rpc.RpcServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * A running message broker: the topics of a data directory served as {@link BrokerService} over
 * rpc-core.
 *
 * <pre>{@code
 * try (Broker broker = Broker.start(BrokerConfig.builder(Path.of("data")).build(), "0.0.0.0", 7400)) {
 *     ...
 * }
 * }</pre>
 *
 * <p>This class is thread-safe. It owns its server, threads and files; {@link #close()} stops accepting
 * calls, finishes in-flight ones, forces every log and cursor and closes the files. Idempotent.
 */
public final class Broker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Broker.class);

    private final BrokerConfig config;
    private final Topics topics;
    private final RpcServer server;
    private volatile boolean closed;
    private dev.courier.admin.AdminServer admin;

    private final BrokerSecurity security;
    private final BrokerServiceImpl service;

    private Broker(
            BrokerConfig config, Topics topics, RpcServer server, BrokerSecurity security, BrokerServiceImpl service) {
        this.security = security;
        this.service = service;
        this.config = config;
        this.topics = topics;
        this.server = server;
    }

    /** Opens (recovering) the data directory and listens on {@code host:port} (0: any free port), unprotected. */
    public static Broker start(BrokerConfig config, String host, int port) throws IOException {
        return start(config, host, port, BrokerSecurity.none());
    }

    /**
     * Opens (recovering) the data directory and listens on {@code host:port} (0: any free port) with
     * the TLS, authentication and topic rules of {@code security}.
     */
    public static Broker start(BrokerConfig config, String host, int port, BrokerSecurity security) throws IOException {
        Topics topics = new Topics(config);
        RpcServer server;
        BrokerServiceImpl service = new BrokerServiceImpl(topics, security.authorizer());
        try {
            server = RpcServer.builder()
                    .host(host)
                    .port(port)
                    .drainTimeout(Duration.ofSeconds(5))
                    .tls(security.tls())
                    .authenticator(security.authenticator())
                    .export(BrokerService.class, service)
                    .start();
        } catch (RuntimeException e) {
            topics.close();
            throw e;
        }
        Broker b = new Broker(config, topics, server, security, service);
        log.info(
                "Courier broker listening on {} (data {}, fsync {}, {} topics)",
                server.address(),
                config.dataDir().toAbsolutePath(),
                config.log().fsync().name().toLowerCase(java.util.Locale.ROOT),
                topics.names().size());
        return b;
    }

    public int port() {
        return server.port();
    }

    public InetSocketAddress address() {
        return server.address();
    }

    public BrokerConfig config() {
        return config;
    }

    /** What recovery found on start: torn tails cut, segments quarantined. Empty when all was clean. */
    public List<String> recoveryReport() {
        return topics.recoveryReport();
    }

    /** The state of a subscription, or null if there is none. */
    public SubscriptionStats stats(String topic, String subscription) {
        return topics.stats(topic, subscription);
    }

    /**
     * The transactions of {@code topic} that are open (half messages stored, neither committed nor rolled back)
     * and how many were rolled back unresolved since the broker started: {open, unresolved}.
     */
    public long[] transactions(String topic) {
        return topics.transactions(topic);
    }

    /**
     * Opens the broker's admin HTTP port on {@code host:port} (0: any free port): {@code /metrics}, the
     * Prometheus text of {@link dev.courier.mq.broker.internal.BrokerMetrics} and the JVM's meters;
     * the JSON API of {@link dev.courier.mq.broker.internal.BrokerAdminApi}; the web console at
     * {@code /}; {@code /live} and {@code /ready} while the broker runs. With a {@code token}, every route but the
     * health checks
     * requires {@code Authorization: Bearer token}; without one, a broker that authenticates its clients
     * authenticates the admin port's bearer tokens the same way, and its topic rules apply to the API
     * ({@code /metrics}, which shows every topic, needs admin on {@code "*"}).
     * Owned by the broker: {@link #close()} closes it.
     *
     * @throws IllegalStateException if it is open already or the broker is closed
     */
    public synchronized dev.courier.admin.AdminServer openAdmin(String host, int port, String token) {
        if (closed) {
            throw new IllegalStateException("The broker is closed");
        }
        if (admin != null) {
            throw new IllegalStateException("The admin port is open already on " + admin.url());
        }
        java.util.concurrent.atomic.AtomicReference<dev.courier.mq.broker.internal.BrokerMetrics> metrics =
                new java.util.concurrent.atomic.AtomicReference<>();
        dev.courier.admin.AdminServer.Builder builder =
                dev.courier.admin.AdminServer.builder().host(host).port(port);
        if (token != null) {
            builder.bearerToken(token);
        } else if (security.authenticator() != null) {
            dev.courier.rpc.Authenticator authenticator = security.authenticator();
            builder.tokens(
                    t -> authenticator.authenticate(new dev.courier.rpc.Authenticator.Credentials(null, t, null)));
        }
        Authorizer authorizer = token != null ? Authorizer.allowAll() : security.authorizer();
        new dev.courier.mq.broker.internal.BrokerAdminApi(topics, authorizer, service.clientsView(), () -> {
                    dev.courier.mq.broker.internal.BrokerMetrics m = metrics.get();
                    return m == null ? 0 : m.fsyncP99Millis();
                })
                .routes(builder);
        dev.courier.admin.AdminServer a = builder.live(() -> !closed)
                .ready(() -> !closed)
                .metricsAccess(principal -> authorizer.allowed(principal, "*", Authorizer.Action.ADMIN))
                .console(Broker.class.getClassLoader(), "dev/courier/mq/broker/console")
                .beforeScrape(() -> {
                    dev.courier.mq.broker.internal.BrokerMetrics m = metrics.get();
                    if (m != null) {
                        m.refresh();
                    }
                })
                .start();
        metrics.set(new dev.courier.mq.broker.internal.BrokerMetrics(topics, a.meters()));
        admin = a;
        log.info("Courier broker admin port on {}", a.url());
        return a;
    }

    /** The admin port, or -1 when {@link #openAdmin} was not called. */
    public synchronized int adminPort() {
        return admin == null ? -1 : admin.port();
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (admin != null) {
                admin.close();
            }
        }
        topics.endWaits(); // long polls answer now, so the server's drain does not wait for them
        try {
            server.close();
        } finally {
            topics.close();
        }
        log.info("Courier broker stopped; logs and cursors forced and closed");
    }
}
