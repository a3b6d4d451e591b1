package dev.courier.rpc;

import dev.courier.registry.Registry;
import dev.courier.serialization.Compression;
import dev.courier.serialization.CompressionPolicy;
import dev.courier.serialization.Serializers;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Configures a reference to a remote service; {@link #build()} returns the proxy. Not thread-safe.
 *
 * @param <T> the service interface
 */
public final class ReferenceBuilder<T> {

    /** The deadline of a call when none is configured. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(3);

    /** Failover retries when none are configured. */
    public static final int DEFAULT_RETRIES = 2;

    private final RpcClient client;
    private final Class<T> serviceInterface;
    private String serviceName;
    private InetSocketAddress address;
    private String version = "";
    private String group = "";
    private Duration timeout = DEFAULT_TIMEOUT;
    private String serializer = Serializers.DEFAULT_NAME;
    private String proxy;
    private CompressionPolicy compression = CompressionPolicy.none();
    private final List<Class<?>> allowedClasses = new ArrayList<>();
    private Registry registry;
    private final Set<String> tags = new TreeSet<>();
    private String loadBalance = LoadBalance.P2C;
    private FaultTolerance faultTolerance = FaultTolerance.FAILOVER;
    private int retries = DEFAULT_RETRIES;
    private int forks = 2;
    private int hashArgument;
    private final List<ClientInterceptor> interceptors = new ArrayList<>();

    ReferenceBuilder(RpcClient client, Class<T> serviceInterface) {
        this.client = client;
        this.serviceInterface = serviceInterface;
        this.serviceName = serviceInterface.getName();
    }

    /** Calls the service named {@code name} through {@code serviceInterface} (generic calls). */
    ReferenceBuilder<T> serviceName(String name) {
        this.serviceName = Objects.requireNonNull(name, "name");
        return this;
    }

    String serviceName() {
        return serviceName;
    }

    /** Connects straight to the provider at {@code host:port}. */
    public ReferenceBuilder<T> address(String host, int port) {
        this.address = new InetSocketAddress(host, port);
        return this;
    }

    public ReferenceBuilder<T> address(InetSocketAddress address) {
        this.address = address;
        return this;
    }

    /**
     * Discovers providers in {@code registry} (not owned: close it after the client) instead of
     * connecting to one address; the client's registry is used when neither is given.
     */
    public ReferenceBuilder<T> registry(Registry registry) {
        this.registry = Objects.requireNonNull(registry);
        return this;
    }

    /** Calls only providers registered with every one of these tags. */
    public ReferenceBuilder<T> tags(String... tags) {
        this.tags.addAll(List.of(tags));
        return this;
    }

    /** The load balancer by name (see {@link LoadBalance}; default {@code p2c}). */
    public ReferenceBuilder<T> loadBalance(String loadBalance) {
        this.loadBalance = Objects.requireNonNull(loadBalance);
        return this;
    }

    /** The argument consistent hashing keys on (default 0, the first). */
    public ReferenceBuilder<T> hashArgument(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("hashArgument must be >= 0");
        }
        this.hashArgument = index;
        return this;
    }

    /** What to do when a call fails (default {@link FaultTolerance#FAILOVER}). */
    public ReferenceBuilder<T> faultTolerance(FaultTolerance faultTolerance) {
        this.faultTolerance = Objects.requireNonNull(faultTolerance);
        return this;
    }

    /** Failover retries on other providers (default 2). */
    public ReferenceBuilder<T> retries(int retries) {
        if (retries < 0) {
            throw new IllegalArgumentException("retries must be >= 0");
        }
        this.retries = retries;
        return this;
    }

    /** How many providers a forking call goes to at once (default 2). */
    public ReferenceBuilder<T> forks(int forks) {
        if (forks < 1) {
            throw new IllegalArgumentException("forks must be >= 1");
        }
        this.forks = forks;
        return this;
    }

    /** Adds an interceptor around this reference's calls, after the client's own interceptors. */
    public ReferenceBuilder<T> interceptor(ClientInterceptor interceptor) {
        interceptors.add(Objects.requireNonNull(interceptor));
        return this;
    }

    public ReferenceBuilder<T> version(String version) {
        this.version = Objects.requireNonNull(version);
        return this;
    }

    public ReferenceBuilder<T> group(String group) {
        this.group = Objects.requireNonNull(group);
        return this;
    }

    /** Every call ends within this deadline (default 3 s). */
    public ReferenceBuilder<T> timeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
        this.timeout = timeout;
        return this;
    }

    /** The serializer by name: {@code kryo} (default) or {@code protostuff}. */
    public ReferenceBuilder<T> serializer(String serializer) {
        this.serializer = Objects.requireNonNull(serializer);
        return this;
    }

    /** The proxy implementation by name: {@code bytebuddy} (default) or {@code jdk}. */
    public ReferenceBuilder<T> proxy(String proxy) {
        this.proxy = proxy;
        return this;
    }

    /** Compresses request bodies of at least {@code thresholdBytes} with {@code codec} (default: never). */
    public ReferenceBuilder<T> compression(Compression codec, int thresholdBytes) {
        this.compression = new CompressionPolicy(codec, thresholdBytes);
        return this;
    }

    /** Allows extra classes through serialization for this reference. */
    public ReferenceBuilder<T> allow(Class<?>... classes) {
        allowedClasses.addAll(List.of(classes));
        return this;
    }

    /**
     * The proxy.
     *
     * @throws IllegalStateException if neither an address nor a registry is known
     * @throws IllegalArgumentException for an unknown load balancer
     */
    public T build() {
        if (address == null && registry == null && !client.hasRegistry()) {
            throw new IllegalStateException("No address or registry for " + serviceName
                    + "; call address(host, port) or registry(...), or give the client a registry");
        }
        if (!LoadBalance.NAMES.contains(loadBalance)) {
            throw new IllegalArgumentException("Unknown load balancer '" + loadBalance + "' for " + serviceName
                    + "; use one of " + LoadBalance.NAMES);
        }
        return client.createReference(this);
    }

    Registry registry() {
        return registry;
    }

    Set<String> tags() {
        return tags;
    }

    String loadBalance() {
        return loadBalance;
    }

    int hashArgument() {
        return hashArgument;
    }

    FaultTolerance faultTolerance() {
        return faultTolerance;
    }

    int retries() {
        return retries;
    }

    int forks() {
        return forks;
    }

    List<ClientInterceptor> interceptors() {
        return interceptors;
    }

    Class<T> serviceInterface() {
        return serviceInterface;
    }

    InetSocketAddress address() {
        return address;
    }

    String version() {
        return version;
    }

    String group() {
        return group;
    }

    Duration timeout() {
        return timeout;
    }

    String serializer() {
        return serializer;
    }

    String proxy() {
        return proxy;
    }

    CompressionPolicy compression() {
        return compression;
    }

    List<Class<?>> allowedClasses() {
        return allowedClasses;
    }
}
