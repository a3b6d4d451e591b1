package dev.courier.rpc.internal.client;

import dev.courier.rpc.AuthenticationException;
import dev.courier.rpc.ConnectionException;
import dev.courier.rpc.TransportOptions;
import dev.courier.rpc.internal.transport.ClientHello;
import dev.courier.rpc.internal.transport.Pipelines;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.AttributeKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * The connections to one provider address: a fixed number of multiplexed connections, opened on first
 * use and reopened on demand after they close, with exponential backoff after failed attempts so a
 * dead provider is not hammered (calls during the backoff fail at once with
 * {@link ConnectionException}, or {@link AuthenticationException} if the provider refused the
 * connection). A connection is handed to calls only once its handshake (TLS, then the hello with the
 * client's credentials) was accepted.
 *
 * <p>Thread-safe.
 */
public final class ConnectionPool {

    private static final Logger log = LoggerFactory.getLogger(ConnectionPool.class);

    private static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(5);

    private static final AttributeKey<Connection> CONNECTION = AttributeKey.valueOf("courier.connection");

    private final InetSocketAddress address;
    private final Bootstrap bootstrap;
    private final Slot[] slots;
    private final AtomicInteger next = new AtomicInteger();
    private volatile boolean drained;

    /**
     * @param template the client's bootstrap (group, channel type, options)
     * @param options  the transport settings: connections, frame limit, heartbeats, token, timeouts
     * @param ssl      the client's TLS context, or null for plaintext
     * @param ids      the client's request ids
     */
    public ConnectionPool(
            InetSocketAddress address, Bootstrap template, TransportOptions options, SslContext ssl, AtomicLong ids) {
        this.address = address;
        int connections = options.connectionsPerAddress();
        this.slots = new Slot[connections];
        for (int i = 0; i < connections; i++) {
            slots[i] = new Slot();
        }
        long handshakeMillis = options.handshakeTimeout().toMillis();
        this.bootstrap = template.clone().handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                Connection connection = new Connection(ch, () -> drained = true);
                Pipelines.install(
                        ch,
                        Pipelines.Side.CLIENT,
                        options,
                        ssl,
                        address,
                        new ClientHello(options.token(), ids, handshakeMillis),
                        new ClientHandler(connection, ids));
                ch.attr(CONNECTION).set(connection);
            }
        });
    }

    /** Hands {@code then} an open connection, connecting first if needed, or the reason there is none. */
    public void acquire(BiConsumer<Connection, Throwable> then) {
        Slot slot = slots[slots.length == 1 ? 0 : Math.floorMod(next.getAndIncrement(), slots.length)];
        Connection c = slot.connection;
        if (c != null && c.isActive()) {
            then.accept(c, null);
            return;
        }
        slot.acquire(then);
    }

    /**
     * Whether the provider said it is draining: on an open connection, or (sticky) since its go-away
     * until a new connection succeeds or {@link #clearDraining()} is called.
     */
    public boolean isDraining() {
        return drained;
    }

    /** Forgets a past go-away, e.g. when the registry announces the provider again. */
    public void clearDraining() {
        drained = false;
    }

    public InetSocketAddress address() {
        return address;
    }

    /** Closes every connection; their pending calls fail. */
    public void close() {
        for (Slot slot : slots) {
            Connection c = slot.connection;
            if (c != null) {
                c.closed(new ConnectionException("client closed"));
                c.channel().close();
            }
        }
    }

    /**
     * One connection, opened on demand. Calls that arrive while it connects wait in a FIFO list and are
     * handed the connection in the order they arrived, before any later call, so a connection carries
     * one caller's requests in the order they were made even across a (re)connect.
     */
    private final class Slot {
        private volatile Connection connection;
        private List<BiConsumer<Connection, Throwable>> waiting;
        private int failures;
        private long nextAttemptNanos;
        private Throwable lastFailure;

        synchronized void acquire(BiConsumer<Connection, Throwable> then) {
            Connection c = connection;
            if (c != null && c.isActive()) {
                then.accept(c, null);
                return;
            }
            if (waiting != null) {
                waiting.add(then);
                return;
            }
            long now = System.nanoTime();
            if (failures > 0 && now - nextAttemptNanos < 0) {
                String message = "Cannot connect to " + address + " (" + failures + " failed attempts; next in "
                        + TimeUnit.NANOSECONDS.toMillis(nextAttemptNanos - now) + " ms): " + lastFailure.getMessage();
                then.accept(
                        null,
                        lastFailure instanceof AuthenticationException
                                ? new AuthenticationException(message, lastFailure)
                                : new ConnectFailedException(message, lastFailure));
                return;
            }
            waiting = new ArrayList<>();
            waiting.add(then);
            ChannelFuture cf = bootstrap.connect(address);
            cf.addListener(f -> {
                if (!f.isSuccess()) {
                    connected(cf.channel(), f.cause());
                } else {
                    ClientHello.ready(cf.channel()).addListener(h -> connected(cf.channel(), h.cause()));
                }
            });
        }

        private void connected(Channel channel, Throwable cause) {
            Connection c = cause == null ? channel.attr(CONNECTION).get() : null;
            List<BiConsumer<Connection, Throwable>> waiters;
            synchronized (this) {
                waiters = waiting;
                waiting = null;
                if (c != null) {
                    failures = 0;
                    drained = false;
                    // under the lock, before the connection is published: nobody overtakes the waiters
                    waiters.forEach(w -> handOver(w, c, null));
                    connection = c;
                    return;
                }
                failures++;
                lastFailure = cause;
                long backoff = Math.min(MAX_BACKOFF_NANOS, MIN_BACKOFF_NANOS << Math.min(failures - 1, 10));
                nextAttemptNanos = System.nanoTime() + backoff;
            }
            RuntimeException failure = cause instanceof AuthenticationException refused
                    ? refused
                    : new ConnectFailedException("Cannot connect to " + address + ": " + cause.getMessage(), cause);
            waiters.forEach(w -> handOver(w, null, failure));
        }

        private void handOver(BiConsumer<Connection, Throwable> waiter, Connection c, Throwable failure) {
            try {
                waiter.accept(c, failure);
            } catch (RuntimeException e) {
                log.warn("A call waiting for the connection to {} failed", address, e);
            }
        }
    }
}
