package dev.courier.rpc.internal.client;

import dev.courier.rpc.ConnectionException;
import dev.courier.rpc.internal.WriteQueue;
import dev.courier.rpc.internal.protocol.Heartbeat;
import dev.courier.rpc.internal.protocol.OutboundRequest;
import io.netty.channel.Channel;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One multiplexed connection to a provider and the calls pending on it, keyed by request id. When the
 * channel closes, every pending call fails at once with {@link ConnectionException}.
 *
 * <p>Thread-safe.
 */
public final class Connection {

    private final Channel channel;
    private final WriteQueue writes;
    private final Map<Long, PendingCall> pending = new ConcurrentHashMap<>();
    private volatile Throwable closedBecause;
    private volatile boolean draining;

    private final Runnable onDraining;

    Connection(Channel channel, Runnable onDraining) {
        this.channel = channel;
        this.onDraining = onDraining;
        this.writes = WriteQueue.install(channel);
    }

    Channel channel() {
        return channel;
    }

    public boolean isActive() {
        return closedBecause == null && channel.isActive();
    }

    /** Registers {@code call} and writes {@code request}; fails the call if the connection is gone. */
    void send(PendingCall call, OutboundRequest request) {
        call.connection(this);
        pending.put(call.id(), call);
        Throwable closed = closedBecause;
        if (closed != null) {
            call.fail(connectionLost(closed));
            return;
        }
        writes.enqueue(request);
    }

    /**
     * Writes the one-way {@code request} and completes {@code call} with null: no answer will come, so
     * nothing is registered. Fails the call if the connection is gone.
     */
    void sendOneWay(PendingCall call, OutboundRequest request) {
        Throwable closed = closedBecause;
        if (closed != null) {
            call.fail(connectionLost(closed));
            return;
        }
        writes.enqueue(request);
        call.succeed(null);
    }

    /** Whether the server said it is draining (go-away frame or a "shutting down" answer). */
    public boolean isDraining() {
        return draining;
    }

    void markDraining() {
        if (!draining) {
            draining = true;
            onDraining.run();
        }
    }

    void ping(long id) {
        channel.writeAndFlush(new Heartbeat(id, false), channel.voidPromise());
    }

    /** Removes and returns the call waiting for {@code id}, or {@code null} if it already ended. */
    PendingCall take(long id) {
        return pending.remove(id);
    }

    void forget(long id) {
        pending.remove(id);
    }

    int pendingCount() {
        return pending.size();
    }

    /** Marks the connection closed and fails every pending call. */
    void closed(Throwable reason) {
        if (closedBecause == null) {
            closedBecause = reason;
        }
        for (PendingCall call : pending.values()) {
            call.fail(connectionLost(closedBecause));
        }
    }

    private ConnectionException connectionLost(Throwable reason) {
        if (draining) {
            // a draining server answers every call it accepted before it closes: this one never ran
            return new ConnectionDrainedException(
                    "Connection to " + channel.remoteAddress()
                            + " closed by a draining provider before the call reached it: " + reason.getMessage(),
                    reason);
        }
        return new ConnectionException(
                "Connection to " + channel.remoteAddress() + " lost: " + reason.getMessage(), reason);
    }

    @Override
    public String toString() {
        return "Connection[" + channel + ", pending=" + pending.size() + "]";
    }
}
