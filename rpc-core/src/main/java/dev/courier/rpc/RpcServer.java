package dev.courier.rpc;

import dev.courier.rpc.internal.Transport;
import dev.courier.rpc.internal.WriteQueue;
import dev.courier.rpc.internal.protocol.Decompressor;
import dev.courier.rpc.internal.protocol.FrameDecoder;
import dev.courier.rpc.internal.protocol.FrameEncoder;
import dev.courier.rpc.internal.protocol.FrameFormat;
import dev.courier.rpc.internal.server.ExportedService;
import dev.courier.rpc.internal.server.InFlight;
import dev.courier.rpc.internal.server.ServerHandler;
import dev.courier.serialization.CompressionPolicy;
import dev.courier.serialization.Serializers;
import dev.courier.serialization.TypeAllowlist;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

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
 * "server busy" at once. Services exported with {@link Builder#exportNonBlocking} run on the I/O thread.
 *
 * <p>This class is thread-safe. It owns its event loops, business pool and channels; {@link #close()}
 * releases them and is idempotent.
 */
public final class RpcServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RpcServer.class);

    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final ThreadPoolExecutor businessPool;
    private final ChannelGroup channels;
    private final InFlight inFlight = new InFlight();
    private final Channel serverChannel;
    private final Duration drainTimeout;
    private final Map<String, ExportedService> services;
    private boolean closed;

    private RpcServer(Builder b) {
        Map<String, ExportedService> map = new LinkedHashMap<>();
        TypeAllowlist.Builder allowlist = TypeAllowlist.builder();
        allowlist.allow(b.allowedClasses.toArray(new Class<?>[0]));
        for (ExportedService s : b.services) {
            if (map.putIfAbsent(s.key(), s) != null) {
                throw new IllegalStateException("Service " + s.key() + " is exported twice");
            }
            allowlist.allowServiceInterface(s.serviceInterface());
        }
        this.services = Map.copyOf(map);
        Serializers serializers = Serializers.load(allowlist.build());
        this.drainTimeout = b.drainTimeout;
        BlockingQueue<Runnable> queue = b.queueCapacity == 0
                ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(b.queueCapacity);
        this.businessPool = new ThreadPoolExecutor(b.businessThreads, b.businessThreads, 60, TimeUnit.SECONDS, queue,
                new DefaultThreadFactory("courier-server-biz", true), new ThreadPoolExecutor.AbortPolicy());
        businessPool.allowCoreThreadTimeOut(true);
        this.bossGroup = Transport.newGroup(1, "courier-server-boss");
        this.workerGroup = Transport.newGroup(b.ioThreads, "courier-server-io");
        this.channels = new DefaultChannelGroup("courier-server", GlobalEventExecutor.INSTANCE);

        ServerHandler handler = new ServerHandler(services, serializers, businessPool, inFlight, b.compression);
        long idleMillis = b.heartbeatInterval.toMillis() * 3;
        int maxBody = b.maxBodyLength;
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
                        channels.add(ch);
                        WriteQueue.install(ch);
                        ch.pipeline()
                                .addLast("flush", new FlushConsolidationHandler(256, true))
                                .addLast("idle", new IdleStateHandler(idleMillis, 0, 0, TimeUnit.MILLISECONDS))
                                .addLast("decoder", new FrameDecoder(maxBody))
                                .addLast("decompressor", new Decompressor(maxBody))
                                .addLast("encoder", FrameEncoder.INSTANCE)
                                .addLast("handler", handler);
                    }
                });
        try {
            this.serverChannel = bootstrap.bind(new InetSocketAddress(b.host, b.port)).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            shutdownResources();
            throw e;
        }
        log.info("Courier server listening on {} ({} transport, {} services)", serverChannel.localAddress(),
                Transport.name(), services.size());
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
     * Shuts down gracefully: stops accepting connections, refuses new requests with a "shutting down"
     * status, waits up to the drain timeout for in-flight calls, then closes every connection and
     * thread. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        serverChannel.close().syncUninterruptibly();
        if (!inFlight.drain(drainTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
            log.warn("Closing with {} calls still running after {}", inFlight.running(), drainTimeout);
        }
        channels.close().syncUninterruptibly();
        shutdownResources();
    }

    private void shutdownResources() {
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
        private String host = "0.0.0.0";
        private int port = 0;
        private int ioThreads = Runtime.getRuntime().availableProcessors();
        private int businessThreads = 200;
        private int queueCapacity = 0;
        private int maxBodyLength = FrameFormat.DEFAULT_MAX_BODY_LENGTH;
        private Duration heartbeatInterval = Duration.ofSeconds(10);
        private Duration drainTimeout = Duration.ofSeconds(10);
        private CompressionPolicy compression = CompressionPolicy.none();
        private final List<ExportedService> services = new ArrayList<>();
        private final List<Class<?>> allowedClasses = new ArrayList<>();

        private Builder() {
        }

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /** The port to listen on; 0 (the default) picks a free one. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder ioThreads(int ioThreads) {
            this.ioThreads = positive(ioThreads, "ioThreads");
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

        /** The largest request body accepted (default 16 MiB); larger ones are refused. */
        public Builder maxBodyLength(int maxBodyLength) {
            this.maxBodyLength = positive(maxBodyLength, "maxBodyLength");
            return this;
        }

        /** The clients' heartbeat interval; a connection silent for 3 intervals is closed (default 10 s). */
        public Builder heartbeatInterval(Duration heartbeatInterval) {
            this.heartbeatInterval = heartbeatInterval;
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
            services.add(new ExportedService(serviceInterface, implementation, version, group, false));
            return this;
        }

        /** Exports a service whose methods never block: they run on the I/O thread. */
        public <T> Builder exportNonBlocking(Class<T> serviceInterface, T implementation) {
            services.add(new ExportedService(serviceInterface, implementation, "", "", true));
            return this;
        }

        public RpcServer start() {
            return new RpcServer(this);
        }

        private static int positive(int value, String name) {
            if (value <= 0) {
                throw new IllegalArgumentException(name + " must be > 0");
            }
            return value;
        }
    }
}
