package dev.courier.rpc.internal.client;

import dev.courier.rpc.AuthenticationException;
import dev.courier.rpc.ConnectionException;
import dev.courier.rpc.InvalidArgumentException;
import dev.courier.rpc.PermissionDeniedException;
import dev.courier.rpc.RateLimitedException;
import dev.courier.rpc.RemoteException;
import dev.courier.rpc.RpcException;
import dev.courier.rpc.RpcProtocolException;
import dev.courier.rpc.RpcTimeoutException;
import dev.courier.rpc.ServerBusyException;
import dev.courier.rpc.ServiceNotFoundException;
import dev.courier.rpc.internal.Primitives;
import dev.courier.rpc.internal.protocol.Codec;
import dev.courier.rpc.internal.protocol.ErrorInfo;
import dev.courier.rpc.internal.protocol.Frame;
import dev.courier.rpc.internal.protocol.MalformedFrame;
import dev.courier.rpc.internal.protocol.ResponseHead;
import dev.courier.rpc.internal.protocol.Status;
import dev.courier.serialization.SerializationException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Completes pending calls from response frames, sends heartbeats on an idle connection, and closes a
 * connection whose peer has been silent for 3 heartbeat intervals.
 *
 * <p>One instance per connection; used on that connection's event loop only.
 */
final class ClientHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(ClientHandler.class);

    private final Connection connection;
    private final AtomicLong ids;

    ClientHandler(Connection connection, AtomicLong ids) {
        this.connection = connection;
        this.ids = ids;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof MalformedFrame m) {
            PendingCall call = m.isResponse() ? connection.take(m.requestId()) : null;
            if (call != null) {
                call.fail(new RpcProtocolException("Response to " + call.description() + " refused: " + m.reason()));
            }
            return;
        }
        Frame frame = (Frame) msg;
        try {
            if (frame.isResponse() && !frame.isHeartbeat()) {
                if (frame.statusValue() == Status.SHUTTING_DOWN) {
                    connection.markDraining();
                }
                PendingCall call = connection.take(frame.requestId());
                if (call != null) {
                    complete(call, frame);
                }
            } else if (frame.isHeartbeat() && !frame.isResponse() && frame.statusValue() == Status.SHUTTING_DOWN) {
                log.debug("{} is draining", ctx.channel().remoteAddress());
                connection.markDraining();
            }
        } finally {
            frame.release();
        }
    }

    private static void complete(PendingCall call, Frame frame) {
        ByteBuf body = frame.body();
        try {
            call.serverTiming(ResponseHead.readTiming(body));
            Status status = frame.statusValue();
            if (status == Status.OK) {
                if (frame.serializerId() != call.serializer().id()) {
                    throw new RpcProtocolException("Response serialized with id " + frame.serializerId()
                            + ", the call used " + call.serializer().id());
                }
                Object value = Codec.readValue(body, call.serializer(), Object.class);
                Class<?> type = call.resultType();
                if (value == null
                        ? type.isPrimitive() && type != void.class
                        : !Primitives.wrap(type).isInstance(value) && type != void.class) {
                    throw new RpcProtocolException("Response to " + call.description() + " is a "
                            + (value == null ? "null" : value.getClass().getName()) + ", expected " + type.getName());
                }
                call.succeed(value);
            } else {
                call.fail(toException(status, ErrorInfo.readFrom(body), call.description()));
            }
        } catch (SerializationException e) {
            call.fail(new RpcProtocolException(
                    "Response to " + call.description() + " could not be read: " + e.getMessage(), e));
        } catch (RpcException e) {
            call.fail(e);
        } catch (RuntimeException e) {
            call.fail(new RpcProtocolException("Malformed response to " + call.description() + ": " + e, e));
        }
    }

    static RpcException toException(Status status, ErrorInfo error, String description) {
        String message = error.message();
        switch (status) {
            case REMOTE_EXCEPTION:
                return new RemoteException(error.className(), message, error.stack());
            case SERVICE_NOT_FOUND:
            case METHOD_NOT_FOUND:
                return new ServiceNotFoundException(message);
            case RATE_LIMITED:
                return new RateLimitedException(message);
            case SERVER_BUSY:
            case SHUTTING_DOWN:
                return new ServerBusyException(message);
            case PERMISSION_DENIED:
                return new PermissionDeniedException(message);
            case INVALID_ARGUMENT:
                return new InvalidArgumentException(message);
            case UNAUTHENTICATED:
                return new AuthenticationException(message);
            case DEADLINE_EXCEEDED:
                return new RpcTimeoutException(description + ": " + message);
            default:
                return new RpcProtocolException(status + ": " + message);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent idle) {
            if (idle.state() == IdleState.READER_IDLE) {
                log.warn("Closing {}: no frame from the server within 3 heartbeat intervals", ctx.channel());
                connection.closed(new ConnectionException("peer silent for 3 heartbeat intervals"));
                ctx.close();
            } else if (idle.state() == IdleState.ALL_IDLE) {
                connection.ping(ids.incrementAndGet());
            }
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        connection.closed(new ConnectionException("connection closed"));
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.warn("Closing {} after an error: {}", ctx.channel(), cause.toString());
        connection.closed(cause);
        ctx.close();
    }
}
