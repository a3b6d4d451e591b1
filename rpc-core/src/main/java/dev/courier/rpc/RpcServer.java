package dev.courier.rpc;

import dev.courier.registry.Registry;
import dev.courier.registry.ServiceInstance;
import dev.courier.rpc.internal.MethodKeys;
import dev.courier.rpc.internal.Transport;
import dev.courier.rpc.internal.metrics.ServerMetrics;
import dev.courier.rpc.internal.protocol.Heartbeat;
import dev.courier.rpc.internal.server.AccessRules;
import dev.courier.rpc.internal.server.ConnectionLimiter;
import dev.courier.rpc.internal.server.ExportedService;
import dev.courier.rpc.internal.server.InFlight;
import dev.courier.rpc.internal.server.Limits;
import dev.courier.rpc.internal.server.ProviderAdmin;
import dev.courier.rpc.internal.server.Registrations;
import dev.courier.rpc.internal.server.ServerConnection;
import dev.courier.rpc.internal.server.ServerHandler;
import dev.courier.rpc.internal.tracing.Tracing;
import dev.courier.rpc.internal.transport.Pipelines;
import dev.courier.rpc.internal.transport.ServerGate;
import dev.courier.rpc.internal.transport.Tls;
import dev.courier.serialization.CompressionPolicy;
import dev.courier.serialization.Serializer;
import dev.courier.serialization.Serializers;
import dev.courier.serialization.TypeAllowlist;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Serves exported services over Courier's protocol.
 *
 * <pre>{@code
 * RpcServer server = RpcServer.builder().port(0).export(Greeter.class, new GreeterImpl()).start();
 * int port = server.port();
 * ...
 * server.close(); // stops accepting, finishes in-flight calls (up to the drain timeout), closes
 * }</pre>
 *
 * <p>Requests are decoded on the I/O threads and run on a bounded business pool; a full pool answers
 * "server busy" at once. Services exported with {@link Builder#exportNonBlocking}, and methods marked
 * {@link NonBlocking}, run on the I/O thread, in arrival order per connection.
 *
 * <p>This class is thread-safe. It owns its event loops, business pool and channels; {@link #close()}
 * releases them and is idempotent.
 */
public final class RpcServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RpcServer.class);

    /** How long a closing server keeps answering "shutting down" after its go-away, for requests in transit. */
    private static final long GO_AWAY_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final ThreadPoolExecutor businessPool;
    private final ChannelGroup channels;
    private final InFlight inFlight = new InFlight();
    private final Channel serverChannel;
    private final Duration drainTimeout;
    private final Map<String, ExportedService> services;
    private final Registrations registrations;
    private final ProviderAdmin admin;
    private final MeterRegistry meters;
    private volatile List<io.micrometer.core.instrument.Meter> gauges;
    private volatile boolean closed;

    private RpcServer(Builder b) {
        Map<String, ExportedService> map = new LinkedHashMap<>();
        TypeAllowlist.Builder allowlist = TypeAllowlist.builder();
        allowlist.allow(b.allowedClasses.toArray(new Class<?>[0]));
        Limits limits = new Limits();
        AccessRules access = new AccessRules();
        for (Builder.Export e : b.services) {
            ExportedService s = e.service;
            if (map.putIfAbsent(s.key(), s) != null) {
                throw new IllegalStateException("Service " + s.key() + " is exported twice");
            }
            access.put(s.key(), e.options.allowed, e.options.methodAllowed);
            allowlist.allowServiceInterface(s.serviceInterface());
            limits.rateLimit(s.key(), null, e.options.rateLimit);
            limits.bulkhead(s.key(), null, e.options.maxConcurrent);
            e.options.methodRateLimits.forEach((m, n) -> limits.rateLimit(s.key(), m, n));
            e.options.methodMaxConcurrent.forEach((m, n) -> limits.bulkhead(s.key(), m, n));
        }
        this.admin = b.adminPort < 0
                ? null
                : new ProviderAdmin(
                        b.adminHost, b.adminPort, b.adminToken, b.meterRegistry, b.adminReferences, b.adminJvmMeters);
        this.meters = admin != null ? admin.meters() : b.meterRegistry;
        List<ServerInterceptor> interceptors = new ArrayList<>();
        if (b.tracing && Tracing.available()) {
            interceptors.add(Tracing.server());
        }
        if (meters != null) {
            interceptors.add(new ServerMetrics(meters));
        }
        if (!limits.isEmpty()) {
            interceptors.add(limits);
        }
        interceptors.addAll(b.interceptors);
        this.services = Map.copyOf(map);
        Serializer serializer;
        try {
            serializer = Serializers.load(allowlist.build()).byName(b.serializer);
        } catch (IllegalArgumentException e) {
            throw new CourierConfigurationException(List.of("serializer: " + e.getMessage()));
        }
        this.drainTimeout = b.drainTimeout;
        BlockingQueue<Runnable> queue =
                b.queueCapacity == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(b.queueCapacity);
        this.businessPool = new ThreadPoolExecutor(
                b.businessThreads,
                b.businessThreads,
                60,
                TimeUnit.SECONDS,
                queue,
                new DefaultThreadFactory("courier-server-biz", true),
                new ThreadPoolExecutor.AbortPolicy());
        businessPool.allowCoreThreadTimeOut(true);
        TransportOptions transport = b.transport.build();
        SslContext ssl;
        try {
            ssl = transport.tls() == null ? null : Tls.forServer(transport.tls(), "Courier server");
        } catch (RuntimeException e) {
            businessPool.shutdownNow();
            if (admin != null) {
                admin.close();
            }
            throw e;
        }
        Authenticator authenticator = b.authenticator;
        this.bossGroup = Transport.newGroup(1, "courier-server-boss");
        this.workerGroup = Transport.newGroup(
                transport.ioThreadsOr(Runtime.getRuntime().availableProcessors()), "courier-server-io");
        this.channels = new DefaultChannelGroup("courier-server", GlobalEventExecutor.INSTANCE);

        ServerHandler handler = new ServerHandler(
                services,
                serializer,
                businessPool,
                inFlight,
                b.compression,
                interceptors,
                access,
                b.maxPendingRequestsPerConnection);
        ConnectionLimiter connectionLimiter = new ConnectionLimiter(b.maxConnectionsPerAddress, b.maxConnections);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(Transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (!connectionLimiter.admit(ch)) {
                            ch.close();
                            return;
                        }
                        channels.add(ch);
                        Pipelines.install(
                                ch,
                                Pipelines.Side.SERVER,
                                transport,
                                ssl,
                                null,
                                new ServerGate(
                                        authenticator,
                                        (ctx, principal) -> ServerConnection.of(ctx.channel())
                                                .principal(principal)),
                                handler);
                    }
                });
        try {
            this.serverChannel = bootstrap
                    .bind(new InetSocketAddress(b.host, b.port))
                    .syncUninterruptibly()
                    .channel();
        } catch (RuntimeException e) {
            shutdownResources();
            throw e;
        }
        log.info(
                "Courier server listening on {} ({} transport, {}, {}, {} services)",
                serverChannel.localAddress(),
                Transport.name(),
                ssl == null ? "plaintext" : "TLS",
                authenticator == null ? "no authentication" : "authentication required",
                services.size());
        if (!isLoopback(b.host) && (ssl == null || authenticator == null)) {
            log.warn(
                    "Courier server on {} is reachable beyond this machine without {}",
                    serverChannel.localAddress(),
                    ssl == null && authenticator == null
                            ? "TLS and authentication"
                            : ssl == null ? "TLS" : "authentication");
        }
        if (b.registry != null) {
            String host = b.advertisedHost != null ? b.advertisedHost : advertisedHost(b.host);
            List<ServiceInstance> instances = new ArrayList<>();
            for (Builder.Export e : b.services) {
                ExportedService s = e.service;
                instances.add(new ServiceInstance(
                        MethodKeys.registryKey(s.serviceInterface().getName(), e.options.version, e.options.group),
                        host,
                        port(),
                        e.options.weight,
                        e.options.tags,
                        Map.of()));
            }
            this.registrations = new Registrations(b.registry, instances, b.leaseTtl);
        } else {
            this.registrations = null;
        }
        if (admin != null) {
            this.gauges = List.of();
            try {
                admin.start(this, inFlight, businessPool);
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        } else {
            this.gauges =
                    meters == null ? List.of() : ProviderAdmin.bindServerGauges(meters, this, inFlight, businessPool);
        }
        if (registrations != null) {
            try {
                registrations.online();
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }
    }

    /**
     * Takes the server out of rotation without stopping it: deregisters every service, keeps serving
     * the calls that still arrive (consumers stop routing here as their registry watch reports it).
     * {@code /ready} on the admin port answers 503 meanwhile.
     *
     * @return false if it was offline already
     * @throws IllegalStateException without a registry, or once closed
     */
    public boolean offline() {
        return requireRegistrations().offline();
    }

    /**
     * Puts an {@link #offline()} server back into rotation: registers every service again.
     *
     * @return false if it was online already
     * @throws IllegalStateException without a registry, or once closed
     * @throws dev.courier.registry.RegistryException if the registry refuses
     */
    public boolean online() {
        return requireRegistrations().online();
    }

    private Registrations requireRegistrations() {
        if (registrations == null) {
            throw new IllegalStateException("This server has no registry to go offline from or online to");
        }
        return registrations;
    }

    /**
     * Whether the server takes calls and, with a registry, has every service registered: what
     * {@code /ready} on the admin port reports.
     */
    public boolean ready() {
        return !closed && !inFlight.isDraining() && (registrations == null || registrations.registered());
    }

    /** Whether every service is registered now (false without a registry, and while {@link #offline()}). */
    public boolean registered() {
        return registrations != null && registrations.registered();
    }

    /** Whether the server has not been closed: what {@code /live} on the admin port reports. */
    public boolean live() {
        return !closed;
    }

    /** The exported services' keys ({@code interface:version:group}). */
    public List<String> serviceKeys() {
        return List.copyOf(services.keySet());
    }

    /** The instances this server registers (empty without a registry). */
    public List<ServiceInstance> registeredInstances() {
        return registrations == null ? List.of() : registrations.instances();
    }

    /** The admin port (see {@link Builder#adminPort}), or -1 when it is not open. */
    public int adminPort() {
        return admin == null ? -1 : admin.port();
    }

    /** Whether {@code host} names only this machine (a loopback address or {@code localhost}). */
    public static boolean isLoopback(String host) {
        try {
            InetAddress[] all = InetAddress.getAllByName(host);
            for (InetAddress a : all) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return all.length > 0;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static String advertisedHost(String bindHost) {
        if (!bindHost.equals("0.0.0.0") && !bindHost.equals("::")) {
            return bindHost;
        }
        try {
            return InetAddress.getLocalHost().getHostAddress();
        } catch (UnknownHostException e) {
            return "127.0.0.1";
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The port the server listens on (useful with port 0). */
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** The address the server listens on. */
    public InetSocketAddress address() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** The client connections currently open. */
    public int connectionCount() {
        return channels.size();
    }

    /** The calls accepted and not yet answered. */
    public int inFlightCalls() {
        return inFlight.running();
    }

    /**
     * Shuts down gracefully: deregisters from the registry, stops accepting connections, tells every
     * connected client it is draining (a go-away frame: they route new calls elsewhere at once), refuses
     * new requests with a "shutting down" status (not run, so clients retry them elsewhere), waits up to
     * the drain timeout for in-flight calls, then closes every connection and thread. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (registrations != null) {
            registrations.close();
        }
        serverChannel.close().syncUninterruptibly();
        inFlight.startDraining();
        long goAwayNanos = System.nanoTime();
        channels.writeAndFlush(Heartbeat.goAway());
        if (!inFlight.drain(drainTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
            log.warn("Closing with {} calls still running after {}", inFlight.running(), drainTimeout);
        }
        // requests already on the wire when the go-away left get a "shutting down" answer, not a reset
        long graceLeft = Math.min(GO_AWAY_GRACE_NANOS, drainTimeout.toNanos()) - (System.nanoTime() - goAwayNanos);
        if (graceLeft > 0 && !channels.isEmpty()) {
            LockSupport.parkNanos(graceLeft);
        }
        channels.close().syncUninterruptibly();
        shutdownResources();
    }

    private void shutdownResources() {
        if (admin != null) {
            admin.close();
        }
        if (gauges != null && meters != null) {
            ProviderAdmin.unbind(meters, gauges);
        }
        businessPool.shutdownNow();
        bossGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        workerGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        try {
            businessPool.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Configures and starts a server; not thread-safe. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 0;
        private TransportOptions.Builder transport = TransportOptions.builder();
        private Authenticator authenticator;
        private int businessThreads = 200;
        private int queueCapacity = 0;
        private Duration drainTimeout = Duration.ofSeconds(10);
        private CompressionPolicy compression = CompressionPolicy.none();
        private final List<Export> services = new ArrayList<>();
        private final List<ServerInterceptor> interceptors = new ArrayList<>();
        private MeterRegistry meterRegistry;
        private Registry registry;
        private String advertisedHost;
        private Duration leaseTtl = Registry.DEFAULT_LEASE_TTL;
        private final List<Class<?>> allowedClasses = new ArrayList<>();
        private String serializer = Serializers.DEFAULT_NAME;
        private int maxConnections = 10_000;
        private int maxConnectionsPerAddress = 1_000;
        private int maxPendingRequestsPerConnection = 4_096;
        private int adminPort = -1;
        private boolean tracing = true;
        private String adminHost = "127.0.0.1";
        private String adminToken;
        private java.util.function.Supplier<List<Map<String, Object>>> adminReferences;
        private boolean adminJvmMeters;

        private Builder() {}

        /**
         * Opens the admin HTTP port (opt-in; 0: any free port, see {@link RpcServer#adminPort()}), bound
         * to 127.0.0.1 unless {@link #adminHost} says otherwise:
         * <ul>
         *   <li>{@code GET /metrics}: Prometheus text of the server's meters (its {@link #meterRegistry},
         *       when that is a Prometheus one; otherwise a Prometheus registry beside it) and the JVM's;</li>
         *   <li>{@code GET /live}; {@code GET /ready}, 200 only while every service is registered and the
         *       server is not draining;</li>
         *   <li>{@code POST /offline} and {@code POST /online}: deregister and register again without
         *       stopping ({@link RpcServer#offline()});</li>
         *   <li>{@code GET /ls}: the exported services, whether each is registered, and, in a
         *       {@link Courier}, the references and the providers each sees.</li>
         * </ul>
         */
        public Builder adminPort(int adminPort) {
            if (adminPort < 0 || adminPort > 65535) {
                throw new IllegalArgumentException("adminPort must be 0..65535");
            }
            this.adminPort = adminPort;
            return this;
        }

        /** The address the admin port binds (default 127.0.0.1). */
        public Builder adminHost(String adminHost) {
            this.adminHost = Objects.requireNonNull(adminHost);
            return this;
        }

        /** Requires {@code Authorization: Bearer token} on the admin port, but for {@code /live} and {@code /ready}. */
        public Builder adminToken(String adminToken) {
            this.adminToken = adminToken;
            return this;
        }

        /**
         * What {@code /ls} lists as references, and whether the JVM's meters go into the given registry (set by {@link
         * Courier}).
         */
        Builder adminExtras(java.util.function.Supplier<List<Map<String, Object>>> references, boolean jvmMeters) {
            this.adminReferences = references;
            this.adminJvmMeters = jvmMeters;
            return this;
        }

        /**
         * The address to listen on (default 127.0.0.1: this machine only). Another address without TLS
         * and an authenticator is logged as a warning.
         */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** The port to listen on; 0 (the default) picks a free one. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** All the transport settings at once (replacing those set before); see {@link TransportOptions}. */
        public Builder transport(TransportOptions options) {
            this.transport = options.toBuilder();
            return this;
        }

        /** TLS on every connection: certificate and key, and for mutual TLS the clients' CA; see {@link TlsOptions}. */
        public Builder tls(TlsOptions tls) {
            transport.tls(tls);
            return this;
        }

        /**
         * Authenticates every connection before any request on it runs; connections it refuses are
         * answered "unauthenticated" and closed (the client sees {@link AuthenticationException}).
         * Without one (the default) every connection is accepted, as the principal of its client
         * certificate when it has one.
         */
        public Builder authenticator(Authenticator authenticator) {
            this.authenticator = authenticator;
            return this;
        }

        /** I/O threads (default one per core). */
        public Builder ioThreads(int ioThreads) {
            transport.ioThreads(positive(ioThreads, "ioThreads"));
            return this;
        }

        /** Threads of the business pool (default 200). */
        public Builder businessThreads(int businessThreads) {
            this.businessThreads = positive(businessThreads, "businessThreads");
            return this;
        }

        /** Requests that may wait for a business thread (default 0: a busy pool refuses at once). */
        public Builder queueCapacity(int queueCapacity) {
            if (queueCapacity < 0) {
                throw new IllegalArgumentException("queueCapacity must be >= 0");
            }
            this.queueCapacity = queueCapacity;
            return this;
        }

        /**
         * The connections this server holds open at once (default 10,000). One more is closed as soon as
         * it is accepted, before TLS or a byte of it is read.
         */
        public Builder maxConnections(int maxConnections) {
            this.maxConnections = positive(maxConnections, "maxConnections");
            return this;
        }

        /**
         * The connections one remote address may hold open at once (default 1,000); one more is closed as
         * soon as it is accepted. Clients behind one proxy or NAT share an address: size it for them.
         */
        public Builder maxConnectionsPerAddress(int maxConnectionsPerAddress) {
            this.maxConnectionsPerAddress = positive(maxConnectionsPerAddress, "maxConnectionsPerAddress");
            return this;
        }

        /**
         * The requests one connection may have running or queued and not yet answered (default 4,096).
         * One more is answered "server busy" (the client sees {@link ServerBusyException}) before its
         * arguments are read, so one connection cannot fill the business pool's queue or the heap.
         */
        public Builder maxPendingRequestsPerConnection(int maxPendingRequestsPerConnection) {
            this.maxPendingRequestsPerConnection =
                    positive(maxPendingRequestsPerConnection, "maxPendingRequestsPerConnection");
            return this;
        }

        /** The largest request body accepted (default 16 MiB); larger ones are refused. */
        public Builder maxBodyLength(int maxBodyLength) {
            transport.maxBodyLength(maxBodyLength);
            return this;
        }

        /** The clients' heartbeat interval; a connection silent for 3 intervals is closed (default 10 s). */
        public Builder heartbeatInterval(Duration heartbeatInterval) {
            transport.heartbeatInterval(heartbeatInterval);
            return this;
        }

        /** How long {@link RpcServer#close()} waits for in-flight calls (default 10 s). */
        public Builder drainTimeout(Duration drainTimeout) {
            this.drainTimeout = drainTimeout;
            return this;
        }

        /** Compresses response bodies the policy selects (default: none). Requests are read whatever they use. */
        public Builder compression(CompressionPolicy compression) {
            this.compression = compression;
            return this;
        }

        /**
         * The serializer every request must use: {@code kryo} (the default) or {@code protostuff}. It is
         * the server's choice alone: a request in any other serializer is refused before its body is
         * read (the client sees {@link RpcProtocolException}), so a peer cannot pick a decoder this
         * server did not choose. References to this server name the same serializer.
         */
        public Builder serializer(String serializer) {
            this.serializer = Objects.requireNonNull(serializer, "serializer");
            return this;
        }

        /** Allows extra classes through serialization, beyond those the service interfaces name. */
        public Builder allow(Class<?>... classes) {
            allowedClasses.addAll(List.of(classes));
            return this;
        }

        /** Exports {@code implementation} as {@code serviceInterface}, version "" and group "". */
        public <T> Builder export(Class<T> serviceInterface, T implementation) {
            return export(serviceInterface, implementation, "", "");
        }

        public <T> Builder export(Class<T> serviceInterface, T implementation, String version, String group) {
            return export(
                    serviceInterface,
                    implementation,
                    ExportOptions.create().version(version).group(group));
        }

        /** Exports a service whose methods never block: they run on the I/O thread. */
        public <T> Builder exportNonBlocking(Class<T> serviceInterface, T implementation) {
            return export(
                    serviceInterface, implementation, ExportOptions.create().nonBlocking(true));
        }

        /** Exports {@code implementation} with version, group, weight, tags and limits from {@code options}. */
        public <T> Builder export(Class<T> serviceInterface, T implementation, ExportOptions options) {
            services.add(new Export(
                    new ExportedService(
                            serviceInterface, implementation, options.version, options.group, options.nonBlocking),
                    options));
            return this;
        }

        /**
         * Whether calls are traced when OpenTelemetry's API is on the classpath (default true): a SERVER
         * span per call, child of the consumer's {@code traceparent}, current while the method runs.
         */
        public Builder tracing(boolean tracing) {
            this.tracing = tracing;
            return this;
        }

        /** Adds an interceptor around every call, after the built-in metrics and limits. */
        public Builder interceptor(ServerInterceptor interceptor) {
            interceptors.add(Objects.requireNonNull(interceptor));
            return this;
        }

        /** Records {@code courier.server.calls} timers in {@code meterRegistry}. */
        public Builder meterRegistry(MeterRegistry meterRegistry) {
            this.meterRegistry = meterRegistry;
            return this;
        }

        /**
         * Registers every exported service in {@code registry} once listening, and deregisters on close.
         * The registry is not owned: the caller closes it after the server.
         */
        public Builder registry(Registry registry) {
            this.registry = registry;
            return this;
        }

        /** The host registered for consumers to connect to (default: the bind host, or this machine's address). */
        public Builder advertisedHost(String host) {
            this.advertisedHost = host;
            return this;
        }

        /** The registration lease (default 10 s): how long a crashed server stays listed. */
        public Builder leaseTtl(Duration leaseTtl) {
            this.leaseTtl = leaseTtl;
            return this;
        }

        public RpcServer start() {
            return new RpcServer(this);
        }

        record Export(ExportedService service, ExportOptions options) {}

        private static int positive(int value, String name) {
            if (value <= 0) {
                throw new IllegalArgumentException(name + " must be > 0");
            }
            return value;
        }
    }
}
