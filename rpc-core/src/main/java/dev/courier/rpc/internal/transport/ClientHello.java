package dev.courier.rpc.internal.transport;

import dev.courier.rpc.AuthenticationException;
import dev.courier.rpc.ConnectionException;
import dev.courier.rpc.internal.protocol.ErrorInfo;
import dev.courier.rpc.internal.protocol.Frame;
import dev.courier.rpc.internal.protocol.Hello;
import dev.courier.rpc.internal.protocol.MethodIds;
import dev.courier.rpc.internal.protocol.ProtocolException;
import dev.courier.rpc.internal.protocol.Status;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLException;

/**
 * The client's side of a connection's handshake: once TCP (and TLS, when configured) is up, sends the
 * hello with the bearer token and waits for the server's verdict; only then is the connection
 * {@linkplain #ready(Channel) ready} for calls, and this handler leaves the pipeline.
 *
 * <p>Every way the handshake can end completes the ready future exactly once: accepted; refused by
 * the server ({@link AuthenticationException} with its reason); a failed TLS handshake, including a
 * client certificate refused after the handshake seemed done, as TLS 1.3 does
 * ({@link AuthenticationException}); no answer within the handshake timeout, or the connection
 * closing without an answer ({@link ConnectionException}).
 *
 * <p>One instance per channel; used on that channel's event loop.
 */
public final class ClientHello extends ChannelInboundHandlerAdapter {

    private static final AttributeKey<Promise<Void>> READY = AttributeKey.valueOf(ClientHello.class, "ready");

    private final String token;
    private final AtomicLong ids;
    private final long timeoutMillis;
    private Promise<Void> ready;
    private ScheduledFuture<?> timeout;
    private Throwable tlsFailure;
    private long helloId;

    public ClientHello(String token, AtomicLong ids, long timeoutMillis) {
        this.token = token;
        this.ids = ids;
        this.timeoutMillis = timeoutMillis;
    }

    /** Completes when the channel's handshake is accepted, or fails with why it is not. */
    public static Future<Void> ready(Channel channel) {
        return channel.attr(READY).get();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        ready = ctx.executor().newPromise();
        ctx.channel().attr(READY).set(ready);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        timeout = ctx.executor()
                .schedule(
                        () -> fail(
                                ctx,
                                new ConnectionException("No answer to the handshake from "
                                        + ctx.channel().remoteAddress() + " within " + timeoutMillis + " ms")),
                        timeoutMillis,
                        TimeUnit.MILLISECONDS);
        SslHandler tls = ctx.pipeline().get(SslHandler.class);
        if (tls == null) {
            sendHello(ctx);
        } else {
            tls.handshakeFuture().addListener(f -> {
                if (f.isSuccess()) {
                    sendHello(ctx);
                } else {
                    fail(ctx, tlsRefused(ctx, f.cause()));
                }
            });
        }
        ctx.fireChannelActive();
    }

    private void sendHello(ChannelHandlerContext ctx) {
        if (ready.isDone()) {
            return;
        }
        helloId = ids.incrementAndGet();
        ctx.writeAndFlush(Hello.request(helloId, token == null ? Map.of() : Map.of(Hello.TOKEN, token)))
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        fail(
                                ctx,
                                new ConnectionException(
                                        "Could not send the handshake to "
                                                + ctx.channel().remoteAddress() + ": " + f.cause(),
                                        f.cause()));
                    }
                });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (ready.isDone() || !(msg instanceof Frame frame) || !frame.isHandshake() || !frame.isResponse()) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            Hello answer = Hello.read(frame);
            if (answer.requestId() != helloId) {
                throw new ProtocolException("Handshake answer for id " + answer.requestId() + ", sent " + helloId);
            }
            if (answer.status() == Status.OK) {
                MethodIds.offer(ctx.channel(), answer.fields().get(Hello.METHOD_IDS));
                cancelTimeout();
                ready.trySuccess(null);
                ctx.pipeline().remove(this);
            } else {
                ErrorInfo error = answer.error();
                fail(
                        ctx,
                        new AuthenticationException(
                                ctx.channel().remoteAddress() + " refused the connection: " + error.message()));
            }
        } catch (RuntimeException e) {
            fail(
                    ctx,
                    new ConnectionException(
                            "Malformed handshake answer from " + ctx.channel().remoteAddress() + ": " + e.getMessage(),
                            e));
        } finally {
            frame.release();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (ready.isDone()) {
            if (ready.isSuccess()) {
                ctx.fireExceptionCaught(cause);
            }
            return; // the handshake already failed with its reason; the channel is closing
        }
        if (isTls(cause)) {
            tlsFailure = cause;
            fail(ctx, tlsRefused(ctx, cause));
        } else {
            fail(
                    ctx,
                    new ConnectionException(
                            "Connection to " + ctx.channel().remoteAddress() + " failed during the handshake: " + cause,
                            cause));
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!ready.isDone()) {
            fail(
                    ctx,
                    tlsFailure != null
                            ? tlsRefused(ctx, tlsFailure)
                            : new ConnectionException(
                                    "Connection to " + ctx.channel().remoteAddress() + " closed during the handshake"));
        }
        ctx.fireChannelInactive();
    }

    private void fail(ChannelHandlerContext ctx, Throwable cause) {
        cancelTimeout();
        if (ready.tryFailure(cause)) {
            ctx.close();
        }
    }

    private void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
        }
    }

    private static AuthenticationException tlsRefused(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        return new AuthenticationException(
                "TLS handshake with " + ctx.channel().remoteAddress() + " failed: " + root.getMessage(), root);
    }

    private static boolean isTls(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SSLException) {
                return true;
            }
        }
        return false;
    }
}
