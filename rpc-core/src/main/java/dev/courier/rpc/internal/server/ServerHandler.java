package dev.courier.rpc.internal.server;

import dev.courier.rpc.Invocation;
import dev.courier.rpc.PermissionDeniedException;
import dev.courier.rpc.ServerInterceptor;
import dev.courier.rpc.internal.MethodKeys;
import dev.courier.rpc.internal.Primitives;
import dev.courier.rpc.internal.WriteQueue;
import dev.courier.rpc.internal.generic.GenericCalls;
import dev.courier.rpc.internal.generic.GenericEndpoint;
import dev.courier.rpc.internal.protocol.Codec;
import dev.courier.rpc.internal.protocol.ErrorInfo;
import dev.courier.rpc.internal.protocol.Frame;
import dev.courier.rpc.internal.protocol.Heartbeat;
import dev.courier.rpc.internal.protocol.MalformedFrame;
import dev.courier.rpc.internal.protocol.MethodIds;
import dev.courier.rpc.internal.protocol.MethodKey;
import dev.courier.rpc.internal.protocol.OutboundResponse;
import dev.courier.rpc.internal.protocol.ProtocolException;
import dev.courier.rpc.internal.protocol.RequestHead;
import dev.courier.rpc.internal.protocol.Status;
import dev.courier.serialization.CompressionPolicy;
import dev.courier.serialization.SerializationException;
import dev.courier.serialization.Serializer;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.IdleStateEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Reads requests on the I/O thread (head, service and method lookup, arguments) and runs them on the
 * business pool, or inline for non-blocking services. A request that names its method by an id the
 * connection bound ({@code MethodIds}) skips the lookup: the id was resolved when it was bound. Every
 * request that expects an answer gets one: its result, or a typed error status. Bad bytes never reach a
 * service and never crash the server.
 *
 * <p>{@link Sharable}; what it keeps per channel is in the channel's {@link ServerConnection}. Thread-safe.
 */
@ChannelHandler.Sharable
public final class ServerHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(ServerHandler.class);

    private final Map<String, ExportedService> services;
    private final Serializer serializer;
    private final Executor businessPool;
    private final InFlight inFlight;
    private final CompressionPolicy compression;
    private final List<ServerInterceptor> interceptors;
    private final AccessRules access;
    private final int maxPendingPerConnection;

    /**
     * @param serializer the one serializer requests may use; a request in any other is refused
     *                   {@link Status#BAD_REQUEST} before a byte of its body is read
     */
    public ServerHandler(
            Map<String, ExportedService> services,
            Serializer serializer,
            Executor businessPool,
            InFlight inFlight,
            CompressionPolicy compression) {
        this(
                services,
                serializer,
                businessPool,
                inFlight,
                compression,
                List.of(),
                new AccessRules(),
                Integer.MAX_VALUE);
    }

    /**
     * @param maxPendingPerConnection requests one connection may have accepted and not yet answered; one
     *                                more is refused {@link Status#SERVER_BUSY} before its arguments are read
     */
    public ServerHandler(
            Map<String, ExportedService> services,
            Serializer serializer,
            Executor businessPool,
            InFlight inFlight,
            CompressionPolicy compression,
            List<ServerInterceptor> interceptors,
            AccessRules access,
            int maxPendingPerConnection) {
        this.maxPendingPerConnection = maxPendingPerConnection;
        this.access = access;
        this.interceptors = List.copyOf(interceptors);
        this.compression = compression;
        this.services = services;
        this.serializer = serializer;
        this.businessPool = businessPool;
        this.inFlight = inFlight;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof MalformedFrame m) {
            if (!m.isResponse() && !m.isOneWay() && !m.isHeartbeat() && !m.isMethodDefinition()) {
                respond(ctx.channel(), OutboundResponse.error(m.requestId(), m.status(), ErrorInfo.of(m.reason())));
            }
            return;
        }
        if (!(msg instanceof Frame frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            if (frame.isHeartbeat()) {
                if (!frame.isResponse()) {
                    ctx.writeAndFlush(new Heartbeat(frame.requestId(), true), ctx.voidPromise());
                }
            } else if (frame.isMethodDefinition()) {
                bind(ctx, frame);
            } else if (!frame.isResponse()) {
                onRequest(ctx.channel(), frame);
            }
        } finally {
            frame.release();
        }
    }

    /**
     * Binds the method id of a method frame for this connection, resolved to its service and method now (the
     * exported services are fixed). A frame whose id or body is unreadable closes the connection: the peer is
     * broken, and its requests by that id could only fail.
     */
    private void bind(ChannelHandlerContext ctx, Frame frame) {
        long id = frame.requestId();
        MethodKey key;
        try {
            if (id < 1 || id > MethodIds.MAX) {
                throw new ProtocolException("method id " + id + " is not within 1.." + MethodIds.MAX);
            }
            key = MethodKey.readFrom(frame.body());
        } catch (ProtocolException | IndexOutOfBoundsException e) {
            log.warn("Closing {}: malformed method frame: {}", ctx.channel(), e.getMessage());
            ctx.close();
            return;
        }
        ExportedService service = services.get(MethodKeys.serviceKey(key.service(), key.version(), key.group()));
        MethodInvoker invoker = service == null ? null : service.method(key.method(), key.params());
        ServerConnection.of(ctx.channel()).methods().bind((int) id, new BoundMethods.Bound(key, service, invoker));
    }

    private void onRequest(Channel channel, Frame frame) {
        long receivedNanos = System.nanoTime();
        boolean oneWay = frame.isOneWay();
        long id = frame.requestId();
        if (!inFlight.tryEnter()) {
            reject(channel, oneWay, id, Status.SHUTTING_DOWN, "The server is shutting down");
            return;
        }
        boolean started = false;
        try {
            if (frame.serializerId() != serializer.id()) {
                // The serializer is the server's choice, never the caller's: a peer may not switch to another
                // decoder (and its gadget surface) by setting one byte of the header.
                reject(
                        channel,
                        oneWay,
                        id,
                        Status.BAD_REQUEST,
                        "This server takes requests in serializer '" + serializer.name() + "' (id " + serializer.id()
                                + ") only, not id " + frame.serializerId());
                return;
            }
            ServerConnection connection = ServerConnection.of(channel);
            if (!connection.tryStartRequest(maxPendingPerConnection)) {
                reject(
                        channel,
                        oneWay,
                        id,
                        Status.SERVER_BUSY,
                        "This connection has " + maxPendingPerConnection
                                + " requests waiting for answers, the server's limit per connection; the request "
                                + "was not run");
                return;
            }
            try {
                started = start(channel, frame, connection, receivedNanos);
            } finally {
                if (!started) {
                    connection.requestDone();
                }
            }
        } finally {
            if (!started) {
                inFlight.exit(); // answered (refused) here: the drain need not wait for it
            }
        }
    }

    /** Reads and starts the request; true once it runs or waits for the pool (it then ends both counts itself). */
    private boolean start(Channel channel, Frame frame, ServerConnection connection, long receivedNanos) {
        boolean oneWay = frame.isOneWay();
        long id = frame.requestId();
        ByteBuf body = frame.body();
        RequestHead head;
        Object[] args;
        MethodInvoker invoker;
        ExportedService service;
        boolean jsonResult = false;
        try {
            if (frame.hasMethodId()) {
                int methodId = Codec.readVarInt(body);
                BoundMethods.Bound bound = connection.methods().get(methodId);
                if (bound == null) {
                    reject(
                            channel,
                            oneWay,
                            id,
                            Status.BAD_REQUEST,
                            "The request names method id " + methodId + ", which this connection has not bound");
                    return false;
                }
                head = RequestHead.readRestFrom(bound.key(), body);
                service = bound.service();
                invoker = bound.invoker();
            } else {
                head = RequestHead.readFrom(body);
                service = services.get(MethodKeys.serviceKey(head.service(), head.version(), head.group()));
                invoker = service == null ? null : service.method(head.method(), head.params());
            }
            if (service == null) {
                reject(
                        channel,
                        oneWay,
                        id,
                        Status.SERVICE_NOT_FOUND,
                        "No service " + head.service() + " (version '" + head.version() + "', group '" + head.group()
                                + "') is exported here");
                return false;
            }
            if (invoker == null) {
                reject(
                        channel,
                        oneWay,
                        id,
                        Status.METHOD_NOT_FOUND,
                        "Service " + head.service() + " has no method " + head.method() + "(" + head.params() + ")");
                return false;
            }
            if (invoker.generic() && GenericCalls.INVOKE.equals(head.method())) {
                // resolved to the method it runs before anything else: access, limits, metrics and
                // interceptors see that method and its arguments, and the result goes back as JSON
                Object[] call = readArgs(body, serializer, invoker.parameterTypes());
                GenericEndpoint.Resolved resolved = service.generic().resolve((String) call[0], (String) call[1]);
                invoker = resolved.invoker();
                if (!permits(
                        channel,
                        oneWay,
                        id,
                        service,
                        head.service(),
                        invoker.method().getName(),
                        connection)) {
                    return false;
                }
                args = service.generic().arguments(resolved);
                jsonResult = true;
            } else {
                if (!permits(channel, oneWay, id, service, head.service(), head.method(), connection)) {
                    return false;
                }
                args = readArgs(body, serializer, invoker.parameterTypes());
            }
        } catch (ProtocolException | SerializationException | IndexOutOfBoundsException e) {
            reject(channel, oneWay, id, Status.BAD_REQUEST, "Malformed request: " + e.getMessage());
            return false;
        } catch (Rejection r) {
            reject(channel, oneWay, id, r.status(), r.getMessage());
            return false;
        }
        long timeoutNanos = head.timeoutMillis() * 1_000_000L;
        Call call =
                new Call(channel, connection, id, oneWay, invoker, args, receivedNanos, timeoutNanos, head, jsonResult);
        if (service.nonBlocking() || invoker.nonBlocking()) {
            call.run();
            return true;
        }
        try {
            businessPool.execute(call);
            return true;
        } catch (RejectedExecutionException e) {
            reject(channel, oneWay, id, Status.SERVER_BUSY, "The server's business pool is full");
            return false;
        }
    }

    /** Whether the connection's principal may call {@code method}; if not, refuses the request. */
    private boolean permits(
            Channel channel,
            boolean oneWay,
            long id,
            ExportedService service,
            String name,
            String method,
            ServerConnection connection) {
        if (access.permits(service.key(), method, connection.principal())) {
            return true;
        }
        String who = connection.principal();
        reject(
                channel,
                oneWay,
                id,
                Status.PERMISSION_DENIED,
                (who == null ? "An anonymous caller" : "Principal '" + who + "'") + " may not call " + name + "."
                        + method);
        return false;
    }

    private static Object[] readArgs(ByteBuf body, Serializer serializer, Class<?>[] types) {
        int n = Codec.readVarInt(body);
        if (n != types.length) {
            throw new ProtocolException("Request carries " + n + " arguments, the method takes " + types.length);
        }
        Object[] args = new Object[n];
        for (int i = 0; i < n; i++) {
            Object value = Codec.readValue(body, serializer, Object.class);
            Class<?> type = types[i];
            if (value == null ? type.isPrimitive() : !Primitives.wrap(type).isInstance(value)) {
                throw new ProtocolException("Argument " + i + " is a "
                        + (value == null ? "null" : value.getClass().getName()) + ", expected " + type.getName());
            }
            args[i] = value;
        }
        return args;
    }

    private static void reject(Channel channel, boolean oneWay, long id, Status status, String message) {
        if (!oneWay) {
            respond(channel, OutboundResponse.error(id, status, ErrorInfo.of(message)));
        }
    }

    static void respond(Channel channel, OutboundResponse response) {
        WriteQueue.of(channel).enqueue(response);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ServerConnection.of(ctx.channel()).closed();
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            log.info("Closing {}: no frame from the client within 3 heartbeat intervals", ctx.channel());
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof DecoderException) {
            log.warn("Closing {}: unreadable stream: {}", ctx.channel(), cause.getMessage());
        } else {
            log.warn("Closing {} after an I/O error", ctx.channel(), cause);
        }
        ctx.close();
    }

    /** One request, run on the business pool or inline. */
    private final class Call implements Runnable {
        private final Channel channel;
        private final ServerConnection connection;
        private final long id;
        private final boolean oneWay;
        private final MethodInvoker invoker;
        private final Object[] args;
        private final long receivedNanos;
        private final long timeoutNanos;
        private final RequestHead head;
        /** A generic call: the result is answered as its JSON. */
        private final boolean jsonResult;

        private long startNanos;
        /** What the interceptors saw; null when there are none. */
        private ServerInvocation invocation;

        Call(
                Channel channel,
                ServerConnection connection,
                long id,
                boolean oneWay,
                MethodInvoker invoker,
                Object[] args,
                long receivedNanos,
                long timeoutNanos,
                RequestHead head,
                boolean jsonResult) {
            this.head = head;
            this.jsonResult = jsonResult;
            this.channel = channel;
            this.connection = connection;
            this.id = id;
            this.oneWay = oneWay;
            this.invoker = invoker;
            this.args = args;
            this.receivedNanos = receivedNanos;
            this.timeoutNanos = timeoutNanos;
        }

        @Override
        public void run() {
            startNanos = System.nanoTime();
            if (timeoutNanos > 0 && startNanos - receivedNanos > timeoutNanos) {
                connection.requestDone();
                inFlight.exit();
                reject(
                        channel,
                        oneWay,
                        id,
                        Status.DEADLINE_EXCEEDED,
                        "The request's deadline passed before it could run; it was not run");
                return;
            }
            Object result;
            Object previous = CurrentCall.enter(head.attachments(), connection);
            try {
                if (interceptors.isEmpty()) {
                    result = invoker.invoke(args);
                } else {
                    invocation = new ServerInvocation(
                            head.service(),
                            head.version(),
                            head.group(),
                            invoker,
                            args,
                            head.attachments(),
                            timeoutNanos > 0 ? receivedNanos + timeoutNanos : 0);
                    result = proceed(0, invocation);
                }
            } catch (Throwable t) {
                complete(null, t);
                return;
            } finally {
                CurrentCall.restore(previous);
            }
            if (invoker.isAsync() && result != null) {
                ((CompletionStage<?>) result).whenComplete(this::complete);
            } else {
                complete(result, null);
            }
        }

        private Object proceed(int index, Invocation invocation) throws Throwable {
            if (index == interceptors.size()) {
                return ((ServerInvocation) invocation).invoker().invoke(invocation.arguments());
            }
            return interceptors.get(index).intercept(invocation, next -> proceed(index + 1, next));
        }

        private void complete(Object value, Throwable error) {
            long endNanos = System.nanoTime();
            try {
                if (oneWay) {
                    if (error != null) {
                        log.warn("One-way call {} failed", invoker.method(), error);
                    }
                    return;
                }
                long queueMicros = (startNanos - receivedNanos) / 1000;
                long execMicros = (endNanos - startNanos) / 1000;
                if (error == null && jsonResult) {
                    String json;
                    try {
                        json = GenericEndpoint.result(value);
                    } catch (IllegalArgumentException e) {
                        respond(
                                channel,
                                OutboundResponse.error(
                                        id,
                                        Status.SERVER_ERROR,
                                        ErrorInfo.of("The result of " + head.service() + "."
                                                + invoker.method().getName() + " could not be written as JSON: "
                                                + e.getMessage()),
                                        queueMicros,
                                        execMicros));
                        return;
                    }
                    respond(
                            channel,
                            OutboundResponse.ok(id, serializer, compression, json, Map.of(), queueMicros, execMicros));
                } else if (error == null) {
                    respond(
                            channel,
                            OutboundResponse.ok(id, serializer, compression, value, Map.of(), queueMicros, execMicros));
                } else {
                    Throwable cause = Primitives.unwrapCompletion(error);
                    if (cause instanceof Rejection r) {
                        // Refused by a limit before the method ran: nothing executed, so no timing.
                        respond(channel, OutboundResponse.error(id, r.status(), ErrorInfo.of(r.getMessage())));
                    } else if (cause instanceof PermissionDeniedException denied) {
                        respond(
                                channel,
                                OutboundResponse.error(
                                        id,
                                        Status.PERMISSION_DENIED,
                                        ErrorInfo.of(denied.getMessage()),
                                        queueMicros,
                                        execMicros));
                    } else {
                        respond(
                                channel,
                                OutboundResponse.error(
                                        id, Status.REMOTE_EXCEPTION, ErrorInfo.of(cause), queueMicros, execMicros));
                    }
                }
            } finally {
                if (invocation != null) {
                    try {
                        invocation.responded(endNanos - startNanos);
                    } catch (RuntimeException e) {
                        log.warn("A task run after the response to {} failed", invoker.method(), e);
                    }
                }
                connection.requestDone();
                inFlight.exit();
            }
        }
    }
}
