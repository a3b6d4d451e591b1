package dev.courier.rpc.internal.client;

import dev.courier.rpc.RpcProtocolException;
import dev.courier.rpc.RpcTimeoutException;
import dev.courier.rpc.internal.Primitives;
import dev.courier.rpc.internal.protocol.OutboundRequest;
import dev.courier.rpc.internal.protocol.RequestHead;
import dev.courier.serialization.CompressionPolicy;
import dev.courier.serialization.Serializer;
import io.netty.util.Timer;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends one attempt of a call on a {@link ConnectionPool}: a request carrying the time left of the
 * deadline and the attachments, failed by a timer when that time passes, whatever the connection does.
 *
 * <p>Thread-safe.
 */
public final class RequestSender {

    private final Serializer serializer;
    private final CompressionPolicy compression;
    private final Timer timer;
    private final AtomicLong ids;

    public RequestSender(Serializer serializer, CompressionPolicy compression, Timer timer, AtomicLong ids) {
        this.serializer = serializer;
        this.compression = compression;
        this.timer = timer;
        this.ids = ids;
    }

    /** Sends {@code invocation} to {@code pool} with what is left of its deadline. */
    public PendingCall send(ClientInvocation invocation, ConnectionPool pool) {
        MethodInfo info = invocation.info();
        long id = ids.incrementAndGet();
        invocation.serverTiming(null);
        PendingCall call = new PendingCall(id, serializer, info.resultType, info.description, invocation);
        long timeoutMillis = invocation.remainingMillis();
        if (timeoutMillis <= 0) {
            call.fail(new RpcTimeoutException(info.description + " timed out after " + invocation.timeoutMillis()
                    + " ms before it could be sent"));
            return call;
        }
        call.deadline(timer.newTimeout(t -> call.expire(invocation.timeoutMillis()), timeoutMillis,
                TimeUnit.MILLISECONDS));
        Map<String, String> attachments = invocation.attachments().isEmpty()
                ? Map.of() : Map.copyOf(invocation.attachments());
        RequestHead head = new RequestHead(info.service, info.version, info.group, info.name, info.params,
                (int) Math.min(Integer.MAX_VALUE, timeoutMillis), attachments);
        OutboundRequest request = new OutboundRequest(id, 0, serializer, compression, head,
                invocation.arguments(), error -> call.fail(new RpcProtocolException(info.description
                        + ": arguments could not be serialized: " + error.getMessage(), error)));
        pool.acquire((connection, error) -> {
            if (error != null) {
                call.fail(Primitives.unwrapCompletion(error));
            } else if (!call.isDone()) {
                connection.send(call, request);
            }
        });
        return call;
    }
}
