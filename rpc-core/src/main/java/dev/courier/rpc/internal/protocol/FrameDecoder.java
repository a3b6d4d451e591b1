package dev.courier.rpc.internal.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.TooLongFrameException;

import java.nio.ByteOrder;

import static dev.courier.rpc.internal.protocol.FrameFormat.BODY_LENGTH_OFFSET;
import static dev.courier.rpc.internal.protocol.FrameFormat.COMPRESSION_OFFSET;
import static dev.courier.rpc.internal.protocol.FrameFormat.FLAGS_OFFSET;
import static dev.courier.rpc.internal.protocol.FrameFormat.HEADER_LENGTH;
import static dev.courier.rpc.internal.protocol.FrameFormat.MAGIC;
import static dev.courier.rpc.internal.protocol.FrameFormat.REQUEST_ID_OFFSET;
import static dev.courier.rpc.internal.protocol.FrameFormat.SERIALIZER_OFFSET;
import static dev.courier.rpc.internal.protocol.FrameFormat.STATUS_OFFSET;
import static dev.courier.rpc.internal.protocol.FrameFormat.VERSION;
import static dev.courier.rpc.internal.protocol.FrameFormat.VERSION_OFFSET;

/**
 * Splits the byte stream into {@link InboundFrame}s (layout in {@link FrameFormat}), built on
 * {@link LengthFieldBasedFrameDecoder} with a strict maximum body length.
 *
 * <ul>
 *   <li>A header whose magic is wrong (or whose length is negative) throws {@link ProtocolException}:
 *       the stream cannot be trusted, everything after it is discarded, and the connection's handler
 *       closes it.</li>
 *   <li>A frame longer than the maximum becomes a {@link MalformedFrame} carrying its request id; its
 *       bytes are skipped as they arrive and the connection keeps working.</li>
 *   <li>A frame of another protocol version becomes a {@link MalformedFrame}.</li>
 * </ul>
 *
 * <p>Not thread-safe and not sharable: one instance per channel.
 */
public final class FrameDecoder extends LengthFieldBasedFrameDecoder {

    private int lastFlags;
    private long lastRequestId;
    private boolean corrupted;

    public FrameDecoder(int maxBodyLength) {
        super(ByteOrder.BIG_ENDIAN, HEADER_LENGTH + maxBodyLength, BODY_LENGTH_OFFSET, 4, 0, 0, true);
    }

    @Override
    protected long getUnadjustedFrameLength(ByteBuf buf, int offset, int length, ByteOrder order) {
        // Called once per frame with the whole header readable (the length field ends the header).
        int start = offset - BODY_LENGTH_OFFSET;
        short magic = buf.getShort(start);
        if (magic != MAGIC) {
            throw new ProtocolException(String.format(
                    "Bad magic 0x%04X, expected 0x%04X: not a Courier stream", magic & 0xFFFF, MAGIC & 0xFFFF));
        }
        lastFlags = buf.getUnsignedByte(start + FLAGS_OFFSET);
        lastRequestId = buf.getLong(start + REQUEST_ID_OFFSET);
        long bodyLength = buf.getUnsignedInt(start + BODY_LENGTH_OFFSET);
        // The body length is a signed i32 on the wire; a negative one is corrupt, not merely long.
        if (bodyLength > Integer.MAX_VALUE) {
            throw new ProtocolException("Negative body length " + (int) bodyLength);
        }
        // The length field ends the header, so the decoder adds the header length itself.
        return bodyLength;
    }

    @Override
    protected Object decode(ChannelHandlerContext ctx, ByteBuf in) throws Exception {
        if (corrupted) {
            // Once the stream is known to be garbage nothing in it is trusted; the channel is closing.
            in.skipBytes(in.readableBytes());
            return null;
        }
        ByteBuf frame;
        try {
            frame = (ByteBuf) super.decode(ctx, in);
        } catch (TooLongFrameException e) {
            return new MalformedFrame(lastFlags, lastRequestId, Status.FRAME_TOO_LARGE, e.getMessage());
        } catch (ProtocolException e) {
            corrupted = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
        if (frame == null) {
            return null;
        }
        int start = frame.readerIndex();
        byte version = frame.getByte(start + VERSION_OFFSET);
        if (version != VERSION) {
            frame.release();
            return new MalformedFrame(
                    lastFlags,
                    lastRequestId,
                    Status.BAD_REQUEST,
                    "Unsupported protocol version " + version + ", this end speaks " + VERSION);
        }
        ByteBuf body = frame.slice(start + HEADER_LENGTH, frame.readableBytes() - HEADER_LENGTH);
        return new Frame(
                frame.getUnsignedByte(start + FLAGS_OFFSET),
                frame.getByte(start + SERIALIZER_OFFSET),
                frame.getByte(start + COMPRESSION_OFFSET),
                frame.getByte(start + STATUS_OFFSET),
                frame.getLong(start + REQUEST_ID_OFFSET),
                body);
    }
}
