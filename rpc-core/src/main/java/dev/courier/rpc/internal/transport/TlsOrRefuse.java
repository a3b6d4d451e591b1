package dev.courier.rpc.internal.transport;

import dev.courier.rpc.internal.protocol.FrameEncoder;
import dev.courier.rpc.internal.protocol.FrameFormat;
import dev.courier.rpc.internal.protocol.Hello;
import dev.courier.rpc.internal.protocol.Status;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.OptionalSslHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first handler of a TLS server's channel: looks at the first bytes, and puts the
 * {@link SslHandler} in its place when they are a TLS record. When they are plaintext, a Courier
 * client that did not turn TLS on, it answers the client's hello with {@link Status#UNAUTHENTICATED}
 * ("this server requires TLS") in plaintext and closes, so that client fails at once with a typed
 * error instead of a bare closed connection. Nothing plaintext ever reaches the decoder.
 *
 * <p>One instance per channel.
 */
final class TlsOrRefuse extends OptionalSslHandler {

    private static final Logger log = LoggerFactory.getLogger(TlsOrRefuse.class);

    private final long handshakeTimeoutMillis;

    TlsOrRefuse(SslContext ssl, long handshakeTimeoutMillis) {
        super(ssl);
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
    }

    @Override
    protected String newSslHandlerName() {
        return "ssl";
    }

    @Override
    protected SslHandler newSslHandler(ChannelHandlerContext ctx, SslContext sslContext) {
        SslHandler tls = super.newSslHandler(ctx, sslContext);
        tls.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
        return tls;
    }

    @Override
    protected ChannelHandler newNonSslHandler(ChannelHandlerContext ctx) {
        return new Refuse();
    }

    /** Answers a plaintext hello "TLS required" and closes; reads nothing else. */
    private static final class Refuse extends ChannelInboundHandlerAdapter {
        private boolean answered;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (answered || !(msg instanceof ByteBuf in)) {
                    return;
                }
                answered = true;
                int start = in.readerIndex();
                boolean courier = in.readableBytes() >= FrameFormat.HEADER_LENGTH
                        && in.getShort(start + FrameFormat.MAGIC_OFFSET) == FrameFormat.MAGIC
                        && (in.getByte(start + FrameFormat.FLAGS_OFFSET) & FrameFormat.FLAG_HANDSHAKE) != 0;
                log.info("Refused {}: plaintext on a TLS port", ctx.channel().remoteAddress());
                if (!courier) {
                    ctx.close();
                    return;
                }
                long id = in.getLong(start + FrameFormat.REQUEST_ID_OFFSET);
                ctx.writeAndFlush(FrameEncoder.encode(
                                ctx.alloc(),
                                Hello.refused(
                                        id,
                                        Status.UNAUTHENTICATED,
                                        "This server requires TLS: connect with TLS options")))
                        .addListener(ChannelFutureListener.CLOSE);
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }
    }
}
