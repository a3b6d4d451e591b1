package dev.courier.rpc;

import dev.courier.proxy.ProxyFactories;
import dev.courier.proxy.ProxyFactory;
import dev.courier.rpc.internal.Transport;
import dev.courier.rpc.internal.client.ConnectionPool;
import dev.courier.rpc.internal.client.ReferenceInvoker;
import dev.courier.rpc.internal.protocol.FrameFormat;
import dev.courier.serialization.Serializers;
import dev.courier.serialization.TypeAllowlist;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.HashedWheelTimer;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

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

    private final EventLoopGroup group;
    private final HashedWheelTimer timer;
    private final Bootstrap bootstrap;
    private final AtomicLong ids = new AtomicLong();
    private final Map<InetSocketAddress, ConnectionPool> pools = new ConcurrentHashMap<>();
    private final Builder config;
    private final ProxyFactories proxies = ProxyFactories.load(RpcClient.class.getClassLoader());
    private volatile boolean closed;

    private RpcClient(Builder b) {
        this.config = b;
        this.group = Transport.newGroup(b.ioThreads, "courier-client-io");
        this.timer = new HashedWheelTimer(new DefaultThreadFactory("courier-client-timer", true), 10,
                TimeUnit.MILLISECONDS, 512);
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(Transport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) b.connectTimeout.toMillis());
    }

    public static Builder builder() {
        return new Builder();
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
        ConnectionPool pool = pools.computeIfAbsent(rb.address(), a -> new ConnectionPool(a, bootstrap,
                config.connectionsPerAddress, config.maxBodyLength, config.heartbeatInterval.toMillis(), ids));
        ReferenceInvoker invoker = new ReferenceInvoker(rb.serviceInterface(), rb.version(), rb.group(), pool,
                serializers.byName(rb.serializer()), rb.compression(), timer, ids, rb.timeout().toMillis());
        ProxyFactory factory = rb.proxy() == null ? proxies.defaultFactory() : proxies.byName(rb.proxy());
        return factory.createProxy(rb.serviceInterface(), invoker);
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
        pools.values().forEach(ConnectionPool::close);
        timer.stop();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Configures a client; not thread-safe. */
    public static final class Builder {
        private int ioThreads = Math.min(4, Runtime.getRuntime().availableProcessors());
        private int connectionsPerAddress = 1;
        private int maxBodyLength = FrameFormat.DEFAULT_MAX_BODY_LENGTH;
        private Duration connectTimeout = Duration.ofSeconds(3);
        private Duration heartbeatInterval = Duration.ofSeconds(10);
        private final List<Class<?>> allowedClasses = new ArrayList<>();

        private Builder() {
        }

        public Builder ioThreads(int ioThreads) {
            this.ioThreads = ioThreads;
            return this;
        }

        /** Connections opened to each provider address (default 1); calls are spread over them. */
        public Builder connectionsPerAddress(int connections) {
            if (connections <= 0) {
                throw new IllegalArgumentException("connectionsPerAddress must be > 0");
            }
            this.connectionsPerAddress = connections;
            return this;
        }

        /** The largest response body accepted (default 16 MiB). */
        public Builder maxBodyLength(int maxBodyLength) {
            this.maxBodyLength = maxBodyLength;
            return this;
        }

        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        /**
         * How often an idle connection sends a heartbeat (default 10 s); a connection on which nothing
         * arrives for 3 intervals is closed and its calls fail.
         */
        public Builder heartbeatInterval(Duration heartbeatInterval) {
            this.heartbeatInterval = heartbeatInterval;
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
