package dev.courier.rpc;

import dev.courier.proxy.ProxyFactories;
import dev.courier.proxy.ProxyFactory;
import dev.courier.registry.CachingRegistry;
import dev.courier.registry.Registries;
import dev.courier.registry.Registry;
import dev.courier.registry.ServiceInstance;
import dev.courier.rpc.internal.MethodKeys;
import dev.courier.rpc.internal.Transport;
import dev.courier.rpc.internal.client.CallTarget;
import dev.courier.rpc.internal.client.ConnectionPool;
import dev.courier.rpc.internal.client.ConsumerInvoker;
import dev.courier.rpc.internal.client.RequestSender;
import dev.courier.rpc.internal.cluster.ClusterTarget;
import dev.courier.rpc.internal.cluster.Directory;
import dev.courier.rpc.internal.cluster.Endpoint;
import dev.courier.rpc.internal.cluster.LoadBalancers;
import dev.courier.rpc.internal.cluster.RetryBudget;
import dev.courier.rpc.internal.cluster.Router;
import dev.courier.rpc.internal.metrics.ClientMetrics;
import dev.courier.rpc.internal.tracing.Tracing;
import dev.courier.rpc.internal.transport.Tls;
import dev.courier.serialization.Serializers;
import dev.courier.serialization.TypeAllowlist;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.util.HashedWheelTimer;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Calls remote services. Holds the I/O threads, the deadline timer and one connection pool per
 * provider address, shared by every reference made from it.
 *
 * <pre>{@code
 * try (RpcClient client = RpcClient.builder().build()) {
 *     Greeter greeter = client.reference(Greeter.class).address("127.0.0.1", port).build();
 *     String hello = greeter.sayHello("Ada");
 * }
 * }</pre>
 *
 * <p>This class is thread-safe. It owns its event loops, timer and connections; {@link #close()} fails
 * every pending call with {@link ConnectionException}, releases them, and is idempotent.
 */
public final class RpcClient implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RpcClient.class);

    /** The circuit breaker configuration used unless {@link Builder#circuitBreaker} says otherwise. */
    public static final CircuitBreakerConfig DEFAULT_CIRCUIT_BREAKER = CircuitBreakerConfig.custom()
            .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
            .slidingWindowSize(20)
            .minimumNumberOfCalls(10)
            .failureRateThreshold(50)
            .waitDurationInOpenState(Duration.ofSeconds(5))
            .permittedNumberOfCallsInHalfOpenState(3)
            .build();

    private final EventLoopGroup group;
    private final HashedWheelTimer timer;
    private final Bootstrap bootstrap;
    private final AtomicLong ids = new AtomicLong();
    private final Map<InetSocketAddress, ConnectionPool> pools = new ConcurrentHashMap<>();
    private final Builder config;
    private final TransportOptions transport;
    private final SslContext ssl;
    private final ProxyFactories proxies = ProxyFactories.load(RpcClient.class.getClassLoader());
    private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();
    private final CircuitBreakerRegistry breakers;
    private final List<ClientInterceptor> interceptors;
    private final Registry registry;
    private final boolean ownsRegistry;
    private final List<Directory> directories = new CopyOnWriteArrayList<>();
    /** What each reference built so far calls, for the admin port's {@code ls}. */
    private final List<Supplier<Map<String, Object>>> referenceViews = new CopyOnWriteArrayList<>();

    private final Supplier<RetryBudget> retryBudget;
    private final Counter retryCounter;
    private volatile boolean closed;

    private RpcClient(Builder b) {
        this.config = b;
        this.transport = b.transport.build();
        this.ssl = transport.tls() == null ? null : Tls.forClient(transport.tls(), "Courier client");
        if (transport.token() != null && ssl == null) {
            log.warn("The client sends its bearer token without TLS: anyone on the network path can read it");
        }
        this.group = Transport.newGroup(
                transport.ioThreadsOr(Math.min(4, Runtime.getRuntime().availableProcessors())), "courier-client-io");
        this.timer = new HashedWheelTimer(
                new DefaultThreadFactory("courier-client-timer", true), 10, TimeUnit.MILLISECONDS, 512);
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(Transport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        transport.connectTimeout().toMillis());
        this.breakers = CircuitBreakerRegistry.of(b.circuitBreaker);
        List<ClientInterceptor> chain = new ArrayList<>();
        if (b.tracing && Tracing.available()) {
            chain.add(Tracing.client());
        }
        if (b.meterRegistry != null) {
            chain.add(new ClientMetrics(b.meterRegistry));
        }
        chain.addAll(b.interceptors);
        this.interceptors = List.copyOf(chain);
        this.retryBudget = b.retryBudget;
        this.retryCounter = b.meterRegistry == null
                ? null
                : Counter.builder("courier.client.retries")
                        .description("Failover retries")
                        .register(b.meterRegistry);
        if (b.registryUrl != null) {
            this.registry = new CachingRegistry(Registries.connect(b.registryUrl), null);
            this.ownsRegistry = true;
        } else {
            this.registry = b.registry;
            this.ownsRegistry = false;
        }
    }

    boolean hasRegistry() {
        return registry != null;
    }

    /** The endpoint (connections, breaker, statistics) of a provider address, created on first use. */
    private Endpoint endpoint(InetSocketAddress address) {
        String id = address.getHostString() + ':' + address.getPort();
        return endpoints.computeIfAbsent(id, k -> {
            ConnectionPool pool =
                    pools.computeIfAbsent(address, a -> new ConnectionPool(a, bootstrap, transport, ssl, ids));
            CircuitBreaker breaker = breakers.circuitBreaker(k);
            if (config.meterRegistry != null) {
                Gauge.builder("courier.client.breaker.state", breaker, RpcClient::breakerStateCode)
                        .description("Circuit breaker per provider: 0 closed, 1 open, 2 half-open, 3 other")
                        .tag("address", k)
                        .register(config.meterRegistry);
            }
            return new Endpoint(k, pool, breaker);
        });
    }

    private static double breakerStateCode(CircuitBreaker breaker) {
        switch (breaker.getState()) {
            case CLOSED:
                return 0;
            case OPEN:
                return 1;
            case HALF_OPEN:
                return 2;
            default:
                return 3;
        }
    }

    /** The state of the circuit breaker of the provider at {@code host:port} ({@code CLOSED} if never called). */
    public CircuitBreaker.State breakerState(String host, int port) {
        Endpoint e = endpoints.get(host + ':' + port);
        return e == null ? CircuitBreaker.State.CLOSED : e.breaker().getState();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The transport settings the client runs with. */
    public TransportOptions transport() {
        return transport;
    }

    /** Starts building a reference (a proxy) to a remote {@code serviceInterface}. */
    public <T> ReferenceBuilder<T> reference(Class<T> serviceInterface) {
        if (!serviceInterface.isInterface()) {
            throw new IllegalArgumentException(serviceInterface.getName() + " is not an interface");
        }
        return new ReferenceBuilder<>(this, serviceInterface);
    }

    <T> T createReference(ReferenceBuilder<T> rb) {
        if (closed) {
            throw new IllegalStateException("The client is closed");
        }
        TypeAllowlist allowlist = TypeAllowlist.builder()
                .allow(config.allowedClasses.toArray(new Class<?>[0]))
                .allow(rb.allowedClasses().toArray(new Class<?>[0]))
                .allowServiceInterface(rb.serviceInterface())
                .build();
        Serializers serializers = Serializers.load(allowlist);
        RequestSender sender = new RequestSender(serializers.byName(rb.serializer()), rb.compression(), timer, ids);
        CallTarget target;
        if (rb.address() != null) {
            ConnectionPool pool = endpoint(rb.address()).pool();
            target = invocation -> sender.send(invocation, pool);
            String address = rb.address().getHostString() + ":" + rb.address().getPort();
            Map<String, Object> view =
                    Map.of("service", rb.serviceName(), "address", address, "providers", List.of(address));
            referenceViews.add(() -> view);
        } else {
            Registry source = rb.registry() != null ? rb.registry() : registry;
            Directory directory = new Directory(
                    source,
                    MethodKeys.registryKey(rb.serviceName(), rb.version(), rb.group()),
                    instance -> endpointOf(instance).pool().clearDraining());
            directories.add(directory);
            referenceViews.add(() -> Map.of(
                    "service",
                    directory.key().toString(),
                    "providers",
                    directory.instances().stream().map(ServiceInstance::id).toList()));
            Runnable onRetry = retryCounter == null ? () -> {} : retryCounter::increment;
            target = new ClusterTarget(
                    directory,
                    new Router(rb.tags()),
                    LoadBalancers.create(rb.loadBalance(), rb.hashArgument()),
                    rb.faultTolerance(),
                    rb.retries(),
                    rb.forks(),
                    retryBudget.get(),
                    sender,
                    this::endpointOf,
                    onRetry);
        }
        List<ClientInterceptor> chain = new ArrayList<>(interceptors);
        chain.addAll(rb.interceptors());
        ConsumerInvoker invoker = new ConsumerInvoker(
                rb.serviceInterface(),
                rb.serviceName(),
                rb.version(),
                rb.group(),
                chain,
                target,
                rb.timeout().toMillis());
        ProxyFactory factory = rb.proxy() == null ? proxies.defaultFactory() : proxies.byName(rb.proxy());
        return factory.createProxy(rb.serviceInterface(), invoker);
    }

    private Endpoint endpointOf(ServiceInstance instance) {
        Endpoint e = endpoints.get(instance.id());
        return e != null ? e : endpoint(new InetSocketAddress(instance.host(), instance.port()));
    }

    /** Each reference built so far: its service and the providers it sees now (for {@code ls}). */
    List<Map<String, Object>> describeReferences() {
        List<Map<String, Object>> out = new ArrayList<>();
        referenceViews.forEach(v -> out.add(v.get()));
        return out;
    }

    /** Fails every pending call, closes every connection and stops the client's threads. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        directories.forEach(Directory::close);
        if (ownsRegistry) {
            registry.close();
        }
        pools.values().forEach(ConnectionPool::close);
        timer.stop();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Configures a client; not thread-safe. */
    public static final class Builder {
        private TransportOptions.Builder transport = TransportOptions.builder();
        private final List<Class<?>> allowedClasses = new ArrayList<>();
        private final List<ClientInterceptor> interceptors = new ArrayList<>();
        private MeterRegistry meterRegistry;
        private boolean tracing = true;
        private String registryUrl;
        private Registry registry;
        private CircuitBreakerConfig circuitBreaker = DEFAULT_CIRCUIT_BREAKER;
        private Supplier<RetryBudget> retryBudget = RetryBudget::defaults;

        private Builder() {}

        /**
         * Discovers providers through the registry at {@code url} (e.g. {@code embedded://}, {@code
         * zookeeper://h:p}), owned by the client and wrapped in a {@link CachingRegistry} so that calls
         * to known providers go on while the registry is unreachable.
         */
        public Builder registry(String url) {
            this.registryUrl = Objects.requireNonNull(url);
            this.registry = null;
            return this;
        }

        /** Discovers providers through {@code registry}, which the caller owns and closes after the client. */
        public Builder registry(Registry registry) {
            this.registry = Objects.requireNonNull(registry);
            this.registryUrl = null;
            return this;
        }

        /**
         * Whether calls are traced when OpenTelemetry's API is on the classpath (default true): a CLIENT span
         * per call with the global OpenTelemetry, and the W3C {@code traceparent} in its attachments.
         */
        public Builder tracing(boolean tracing) {
            this.tracing = tracing;
            return this;
        }

        /** Adds an interceptor around every call of every reference (after the built-in metrics). */
        public Builder interceptor(ClientInterceptor interceptor) {
            interceptors.add(Objects.requireNonNull(interceptor));
            return this;
        }

        /**
         * Records {@code courier.client.calls} (timer by service, method, outcome), {@code
         * courier.client.errors} (by kind), {@code courier.client.retries} and {@code
         * courier.client.breaker.state} (per provider address) in {@code meterRegistry}.
         */
        public Builder meterRegistry(MeterRegistry meterRegistry) {
            this.meterRegistry = meterRegistry;
            return this;
        }

        /**
         * The circuit breaker every provider address gets (default: opens when at least half of the last
         * 20 calls, and at least 10, failed with a connection error, timeout or protocol error; stays open
         * 5 s, then lets 3 probes through).
         */
        public Builder circuitBreaker(CircuitBreakerConfig config) {
            this.circuitBreaker = Objects.requireNonNull(config);
            return this;
        }

        /** Failover retries per reference limited to {@code ratio} of its calls, with {@code minTokens} to start. */
        public Builder retryBudget(double ratio, int minTokens) {
            new RetryBudget(ratio, minTokens, Math.max(minTokens, 100));
            this.retryBudget = () -> new RetryBudget(ratio, minTokens, Math.max(minTokens, 100));
            return this;
        }

        /** All the transport settings at once (replacing those set before); see {@link TransportOptions}. */
        public Builder transport(TransportOptions options) {
            this.transport = options.toBuilder();
            return this;
        }

        /** TLS on every connection; see {@link TlsOptions}. */
        public Builder tls(TlsOptions tls) {
            transport.tls(tls);
            return this;
        }

        /** The bearer token presented once per connection; see {@link TransportOptions.Builder#token}. */
        public Builder token(String token) {
            transport.token(token);
            return this;
        }

        /** I/O threads (default up to 4). */
        public Builder ioThreads(int ioThreads) {
            transport.ioThreads(ioThreads);
            return this;
        }

        /** Connections opened to each provider address (default 1); calls are spread over them. */
        public Builder connectionsPerAddress(int connections) {
            transport.connectionsPerAddress(connections);
            return this;
        }

        /** The largest response body accepted (default 16 MiB). */
        public Builder maxBodyLength(int maxBodyLength) {
            transport.maxBodyLength(maxBodyLength);
            return this;
        }

        public Builder connectTimeout(Duration connectTimeout) {
            transport.connectTimeout(connectTimeout);
            return this;
        }

        /**
         * How often an idle connection sends a heartbeat (default 10 s); a connection on which nothing
         * arrives for 3 intervals is closed and its calls fail.
         */
        public Builder heartbeatInterval(Duration heartbeatInterval) {
            transport.heartbeatInterval(heartbeatInterval);
            return this;
        }

        /** Allows extra classes through serialization for every reference. */
        public Builder allow(Class<?>... classes) {
            allowedClasses.addAll(List.of(classes));
            return this;
        }

        public RpcClient build() {
            return new RpcClient(this);
        }
    }
}
