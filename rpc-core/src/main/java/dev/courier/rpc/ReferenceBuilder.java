package dev.courier.rpc;

import dev.courier.serialization.Compression;
import dev.courier.serialization.CompressionPolicy;
import dev.courier.serialization.Serializers;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Configures a reference to a remote service; {@link #build()} returns the proxy. Not thread-safe.
 *
 * @param <T> the service interface
 */
public final class ReferenceBuilder<T> {

    /** The deadline of a call when none is configured. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(3);

    private final RpcClient client;
    private final Class<T> serviceInterface;
    private InetSocketAddress address;
    private String version = "";
    private String group = "";
    private Duration timeout = DEFAULT_TIMEOUT;
    private String serializer = Serializers.DEFAULT_NAME;
    private String proxy;
    private CompressionPolicy compression = CompressionPolicy.none();
    private final List<Class<?>> allowedClasses = new ArrayList<>();

    ReferenceBuilder(RpcClient client, Class<T> serviceInterface) {
        this.client = client;
        this.serviceInterface = serviceInterface;
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

    public T build() {
        if (address == null) {
            throw new IllegalStateException("No address for " + serviceInterface.getName() + "; call address(host, port)");
        }
        return client.createReference(this);
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
