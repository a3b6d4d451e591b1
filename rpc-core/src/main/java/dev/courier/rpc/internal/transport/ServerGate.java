package dev.courier.rpc.internal.transport;

import dev.courier.rpc.AuthenticationException;
import dev.courier.rpc.Authenticator;
import dev.courier.rpc.internal.protocol.ErrorInfo;
import dev.courier.rpc.internal.protocol.Frame;
import dev.courier.rpc.internal.protocol.Hello;
import dev.courier.rpc.internal.protocol.InboundFrame;
import dev.courier.rpc.internal.protocol.OutboundResponse;
import dev.courier.rpc.internal.protocol.Status;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.BiConsumer;

/**
 * The server's side of a connection's handshake: answers the client's hello with the authenticator's
 * verdict, and keeps every other frame from the service handler until the connection is
 * authenticated. Once it is, the principal is handed to {@code onAuthenticated} and this handler
 * leaves the pipeline.
 *
 * <p>With an authenticator, a refused hello is answered {@link Status#UNAUTHENTICATED} and the
 * connection closed; so is a request that comes before an accepted hello (a one-way request is
 * dropped). Without one, every connection is accepted, as the principal of its verified client
 * certificate if it has one, and frames before a hello pass.
 *
 * <p>One instance per channel; used on that channel's event loop.
 */
public final class ServerGate extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(ServerGate.class);

    private final Authenticator authenticator;
    private final BiConsumer<ChannelHandlerContext, String> onAuthenticated;
    private boolean principalSet;

    /**
     * @param authenticator   decides hellos, or null to accept every connection
     * @param onAuthenticated told the principal (null when anonymous) once, before any request passes
     */
    public ServerGate(Authenticator authenticator, BiConsumer<ChannelHandlerContext, String> onAuthenticated) {
        this.authenticator = authenticator;
        this.onAuthenticated = onAuthenticated;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Frame frame && frame.isHandshake() && !frame.isResponse()) {
            try {
                hello(ctx, frame);
            } finally {
                frame.release();
            }
            return;
        }
        if (authenticator == null) {
            // no authentication required: what arrives without a hello runs as the certificate's principal
            authenticated(ctx, certificatePrincipal(ctx));
            ctx.fireChannelRead(msg);
            ctx.pipeline().remove(this);
            return;
        }
        InboundFrame frame = (InboundFrame) msg;
        try {
            if (!frame.isResponse() && !frame.isHeartbeat() && !frame.isOneWay()) {
                ctx.writeAndFlush(OutboundResponse.error(
                                frame.requestId(),
                                Status.UNAUTHENTICATED,
                                ErrorInfo.of("The connection is not authenticated: send credentials first")))
                        .addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.close();
            }
        } finally {
            if (frame instanceof Frame f) {
                f.release();
            }
        }
    }

    private void hello(ChannelHandlerContext ctx, Frame frame) {
        String principal;
        try {
            Hello hello = Hello.read(frame);
            String cert = certificatePrincipal(ctx);
            principal = authenticator == null
                    ? cert
                    : authenticator.authenticate(new Authenticator.Credentials(
                            cert, hello.fields().get(Hello.TOKEN), ctx.channel().remoteAddress()));
            if (authenticator != null && principal == null) {
                throw new AuthenticationException("No principal for these credentials");
            }
        } catch (AuthenticationException e) {
            log.info("Refused {}: {}", ctx.channel().remoteAddress(), e.getMessage());
            ctx.writeAndFlush(Hello.refused(frame.requestId(), Status.UNAUTHENTICATED, e.getMessage()))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        } catch (RuntimeException e) {
            log.warn(
                    "Refused {}: its handshake could not be read or checked",
                    ctx.channel().remoteAddress(),
                    e);
            ctx.writeAndFlush(Hello.refused(frame.requestId(), Status.BAD_REQUEST, "Malformed handshake: " + e))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        authenticated(ctx, principal);
        ctx.writeAndFlush(Hello.accepted(frame.requestId(), principal), ctx.voidPromise());
        ctx.pipeline().remove(this);
    }

    private void authenticated(ChannelHandlerContext ctx, String principal) {
        if (!principalSet) {
            principalSet = true;
            onAuthenticated.accept(ctx, principal);
        }
    }

    private static String certificatePrincipal(ChannelHandlerContext ctx) {
        return Tls.peerPrincipal(ctx.pipeline().get(SslHandler.class));
    }
}
