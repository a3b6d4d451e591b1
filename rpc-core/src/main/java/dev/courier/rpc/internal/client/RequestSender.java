package dev.courier.rpc.internal.client;

import dev.courier.rpc.RpcProtocolException;
import dev.courier.rpc.RpcTimeoutException;
import dev.courier.rpc.internal.Primitives;
import dev.courier.rpc.internal.protocol.FrameFormat;
import dev.courier.rpc.internal.protocol.OutboundRequest;
import dev.courier.rpc.internal.protocol.RequestHead;
import dev.courier.serialization.CompressionPolicy;
import dev.courier.serialization.Serializer;
import io.netty.util.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    private static final Logger log = LoggerFactory.getLogger(RequestSender.class);

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

    private static void encodeFailed(PendingCall call, MethodInfo info, Throwable error) {
        if (call.isDone()) {
            // a one-way call is done once handed to the connection: the caller can no longer be told
            log.warn("One-way call {} was not sent: its arguments could not be serialized", info.description, error);
        } else {
            call.fail(new RpcProtocolException(
                    info.description + ": arguments could not be serialized: " + error.getMessage(), error));
        }
    }

    /**
     * Sends {@code invocation} to {@code pool} with what is left of its deadline. A one-way call is done
     * (with null) once the request is handed to a connection; nothing waits for an answer.
     */
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
        call.deadline(
                timer.newTimeout(t -> call.expire(invocation.timeoutMillis()), timeoutMillis, TimeUnit.MILLISECONDS));
        Map<String, String> attachments =
                invocation.attachments().isEmpty() ? Map.of() : Map.copyOf(invocation.attachments());
        RequestHead head = new RequestHead(info.key, (int) Math.min(Integer.MAX_VALUE, timeoutMillis), attachments);
        OutboundRequest request = new OutboundRequest(
                id,
                info.oneWay ? FrameFormat.FLAG_ONE_WAY : 0,
                serializer,
                compression,
                head,
                invocation.arguments(),
                error -> encodeFailed(call, info, error));
        pool.acquire((connection, error) -> {
            if (error != null) {
                call.fail(Primitives.unwrapCompletion(error));
            } else if (!call.isDone()) {
                if (info.oneWay) {
                    connection.sendOneWay(call, request);
                } else {
                    connection.send(call, request);
                }
            }
        });
        return call;
    }
}
