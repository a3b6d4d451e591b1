package dev.courier.rpc.internal.transport;

import dev.courier.rpc.TransportOptions;
import dev.courier.rpc.internal.WriteQueue;
import dev.courier.rpc.internal.protocol.Decompressor;
import dev.courier.rpc.internal.protocol.FrameDecoder;
import dev.courier.rpc.internal.protocol.FrameEncoder;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Installs Courier's Netty pipeline on a new channel, the same on both sides:
 *
 * <pre>
 *   ssl           TLS, when configured (client: checks the server's host name; server: put in
 *                 place by {@link TlsOrRefuse}, which answers a plaintext client "TLS required")
 *   flush         one flush per event-loop pass (FlushConsolidationHandler)
 *   idle          reader idle after 3 heartbeat intervals; a client also pings when idle for one
 *   decoder       {@link FrameDecoder} with the frame limit
 *   decompressor  {@link Decompressor} with the same limit
 *   encoder       {@link FrameEncoder}
 *   handshake     the connection's hello: {@link ClientHello} or {@link ServerGate}
 *   handler       requests (server) or responses (client)
 * </pre>
 */
public final class Pipelines {

    /** Which end of the connection the pipeline serves. */
    public enum Side {
        CLIENT,
        SERVER
    }

    private Pipelines() {}

    /**
     * Installs the pipeline on {@code ch}.
     *
     * @param ssl       the side's TLS context, or null for plaintext
     * @param peer      the address a client connects to (for its host-name check); null on a server
     * @param handshake the {@link ClientHello} or {@link ServerGate} of this channel
     * @param handler   the last handler
     */
    public static void install(
            SocketChannel ch,
            Side side,
            TransportOptions options,
            SslContext ssl,
            InetSocketAddress peer,
            ChannelHandler handshake,
            ChannelHandler handler) {
        WriteQueue.install(ch);
        ChannelPipeline p = ch.pipeline();
        if (ssl != null && side == Side.CLIENT) {
            SslHandler tls = ssl.newHandler(ch.alloc(), peer.getHostString(), peer.getPort());
            tls.setHandshakeTimeoutMillis(options.handshakeTimeout().toMillis());
            p.addLast("ssl", tls);
        } else if (ssl != null) {
            p.addLast(
                    "tls-or-refuse",
                    new TlsOrRefuse(ssl, options.handshakeTimeout().toMillis()));
        }
        long heartbeatMillis = options.heartbeatInterval().toMillis();
        p.addLast("flush", new FlushConsolidationHandler(256, true))
                .addLast(
                        "idle",
                        new IdleStateHandler(
                                heartbeatMillis * 3,
                                0,
                                side == Side.CLIENT ? heartbeatMillis : 0,
                                TimeUnit.MILLISECONDS))
                .addLast("decoder", new FrameDecoder(options.maxBodyLength()))
                .addLast("decompressor", new Decompressor(options.maxBodyLength()))
                .addLast("encoder", FrameEncoder.INSTANCE)
                .addLast("handshake", handshake)
                .addLast("handler", handler);
    }
}
