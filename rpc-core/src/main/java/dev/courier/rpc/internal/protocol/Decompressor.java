package dev.courier.rpc.internal.protocol;

import dev.courier.serialization.Compression;
import dev.courier.serialization.CompressionException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Sits after {@link FrameDecoder} and replaces each compressed {@link Frame} by one with the plain body,
 * limited to the same maximum as the wire body. A body that cannot be decompressed (unknown codec,
 * corrupt bytes, or larger than the maximum once inflated) becomes a {@link MalformedFrame} with
 * {@link Status#BAD_REQUEST}; nothing leaks.
 *
 * <p>Not sharable: one per channel (it is stateless, but sits in each pipeline once).
 */
public final class Decompressor extends ChannelInboundHandlerAdapter {

    private final int maxBodyLength;

    public Decompressor(int maxBodyLength) {
        this.maxBodyLength = maxBodyLength;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Frame frame) || frame.compressionId() == 0) {
            ctx.fireChannelRead(msg);
            return;
        }
        ByteBuf plain;
        try {
            plain = Compression.byId(frame.compressionId()).decompress(frame.body(), maxBodyLength, ctx.alloc());
        } catch (CompressionException e) {
            ctx.fireChannelRead(new MalformedFrame(
                    frame.flags(),
                    frame.requestId(),
                    Status.BAD_REQUEST,
                    "Body could not be decompressed: " + e.getMessage()));
            return;
        } finally {
            frame.release();
        }
        ctx.fireChannelRead(
                new Frame(frame.flags(), frame.serializerId(), (byte) 0, frame.status(), frame.requestId(), plain));
    }
}
