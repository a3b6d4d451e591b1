package dev.courier.rpc.internal.client;

import dev.courier.rpc.RpcTimeoutException;
import dev.courier.rpc.ServerTiming;
import dev.courier.serialization.Serializer;
import io.netty.util.Timeout;

import java.util.concurrent.CompletableFuture;

/**
 * One call awaiting its response. Completed exactly once: by the response, by its deadline, by the
 * loss of its connection, or by a failure to send it. Whatever completes it first wins; completion
 * cancels the deadline and forgets the call on its connection.
 *
 * <p>Thread-safe.
 */
public final class PendingCall extends CompletableFuture<Object> {

    private final long id;
    private final Serializer serializer;
    private final Class<?> resultType;
    private final String description;
    private final ClientInvocation invocation;
    private volatile Timeout deadline;
    private volatile Connection connection;

    /** @param invocation the call this is an attempt of; its server timing is set from the response */
    public PendingCall(
            long id, Serializer serializer, Class<?> resultType, String description, ClientInvocation invocation) {
        this.invocation = invocation;
        this.id = id;
        this.serializer = serializer;
        this.resultType = resultType;
        this.description = description;
    }

    public long id() {
        return id;
    }

    Serializer serializer() {
        return serializer;
    }

    Class<?> resultType() {
        return resultType;
    }

    /** Records the response's server timing on the invocation, before the call is completed. */
    void serverTiming(ServerTiming timing) {
        if (invocation != null && timing != null && !isDone()) {
            invocation.serverTiming(timing);
        }
    }

    void deadline(Timeout deadline) {
        this.deadline = deadline;
    }

    void connection(Connection connection) {
        this.connection = connection;
    }

    /** Called by the timer when the deadline passes. */
    void expire(long timeoutMillis) {
        if (completeExceptionally(new RpcTimeoutException(
                description + " timed out after " + timeoutMillis + " ms waiting for a response"))) {
            forget();
        }
    }

    void succeed(Object value) {
        if (complete(value)) {
            cancelDeadline();
        }
    }

    public void fail(Throwable error) {
        if (completeExceptionally(error)) {
            cancelDeadline();
            forget();
        }
    }

    private void cancelDeadline() {
        Timeout t = deadline;
        if (t != null) {
            t.cancel();
        }
    }

    private void forget() {
        Connection c = connection;
        if (c != null) {
            c.forget(id);
        }
    }

    String description() {
        return description;
    }
}
