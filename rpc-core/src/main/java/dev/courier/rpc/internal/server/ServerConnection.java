package dev.courier.rpc.internal.server;

import dev.courier.rpc.PeerConnection;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@link PeerConnection} of one accepted channel; created when it becomes active, closed with it.
 * Its principal is set once by the handshake, before any request on it runs. Thread-safe.
 */
public final class ServerConnection implements PeerConnection {

    private static final Logger log = LoggerFactory.getLogger(ServerConnection.class);
    static final AttributeKey<ServerConnection> KEY = AttributeKey.valueOf(ServerConnection.class, "connection");

    private final Channel channel;
    private final String id;
    private List<Runnable> onClose = new ArrayList<>();
    private boolean closed;
    private volatile String principal;
    private final AtomicInteger pending = new AtomicInteger();
    /** The connection's method ids; read and written on its event loop only. */
    private final BoundMethods methods = new BoundMethods();

    ServerConnection(Channel channel) {
        this.channel = channel;
        this.id = channel.id().asLongText();
    }

    /** The connection of {@code channel}, created on first use. */
    public static ServerConnection of(Channel channel) {
        ServerConnection c = channel.attr(KEY).get();
        if (c == null) {
            ServerConnection created = new ServerConnection(channel);
            c = channel.attr(KEY).setIfAbsent(created);
            if (c == null) {
                c = created;
            }
        }
        return c;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public SocketAddress remoteAddress() {
        return channel.remoteAddress();
    }

    @Override
    public String principal() {
        return principal;
    }

    /**
     * Counts one more request accepted on this connection and not yet answered, unless {@code limit}
     * are already: then it returns false and counts nothing. Every true is matched by one
     * {@link #requestDone()}.
     */
    boolean tryStartRequest(int limit) {
        while (true) {
            int n = pending.get();
            if (n >= limit) {
                return false;
            }
            if (pending.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    void requestDone() {
        pending.decrementAndGet();
    }

    /** The method ids this connection bound: for its event loop only. */
    BoundMethods methods() {
        return methods;
    }

    /** Requests accepted on this connection and not yet answered. */
    int pendingRequests() {
        return pending.get();
    }

    /** Sets the principal the handshake authenticated (null: anonymous). */
    public void principal(String principal) {
        this.principal = principal;
    }

    @Override
    public boolean isOpen() {
        return channel.isActive();
    }

    @Override
    public void close() {
        channel.close();
    }

    @Override
    public void onClose(Runnable action) {
        synchronized (this) {
            if (!closed) {
                onClose.add(action);
                return;
            }
        }
        run(action);
    }

    /** Runs the close actions once; called when the channel becomes inactive. */
    void closed() {
        List<Runnable> actions;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            actions = onClose;
            onClose = List.of();
        }
        actions.forEach(this::run);
    }

    private void run(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            log.warn("A close action of connection {} failed", channel, e);
        }
    }

    @Override
    public String toString() {
        return "connection " + id + " from " + channel.remoteAddress();
    }
}
