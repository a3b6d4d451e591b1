package dev.courier.rpc.internal.protocol;

import dev.courier.serialization.Compression;
import dev.courier.serialization.CompressionPolicy;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

import static dev.courier.rpc.internal.protocol.FrameFormat.BODY_LENGTH_OFFSET;
import static dev.courier.rpc.internal.protocol.FrameFormat.COMPRESSION_OFFSET;
import static dev.courier.rpc.internal.protocol.FrameFormat.FLAG_HANDSHAKE;
import static dev.courier.rpc.internal.protocol.FrameFormat.FLAG_HEARTBEAT;
import static dev.courier.rpc.internal.protocol.FrameFormat.FLAG_METHOD_DEF;
import static dev.courier.rpc.internal.protocol.FrameFormat.FLAG_METHOD_REF;
import static dev.courier.rpc.internal.protocol.FrameFormat.FLAG_RESPONSE;
import static dev.courier.rpc.internal.protocol.FrameFormat.HEADER_LENGTH;
import static dev.courier.rpc.internal.protocol.FrameFormat.MAGIC;
import static dev.courier.rpc.internal.protocol.FrameFormat.VERSION;

/**
 * Writes {@link OutboundRequest}, {@link OutboundResponse}, {@link Heartbeat} and {@link Hello} messages as frames
 * (layout in {@link FrameFormat}), serializing values straight into the outgoing pooled buffer.
 *
 * <p>On a connection with {@link MethodIds}, a request names its method by id; the first request of each
 * method is preceded by the method frame that binds the id.
 *
 * <p>A body at or above the message's compression threshold is compressed in place and the codec's
 * id set in the header.
 *
 * <p>A value that cannot be serialized never reaches the wire half-written: for a request the
 * request's failure callback is told and nothing is sent; for a response a {@link Status#SERVER_ERROR}
 * response saying why is sent in its place.
 *
 * <p>{@link Sharable}: the one state it keeps, a connection's {@link MethodIds}, is in the channel.
 */
@ChannelHandler.Sharable
public final class FrameEncoder extends MessageToByteEncoder<Object> {

    public static final FrameEncoder INSTANCE = new FrameEncoder();

    private FrameEncoder() {
        super(Object.class);
    }

    @Override
    public boolean acceptOutboundMessage(Object msg) {
        return msg instanceof OutboundRequest
                || msg instanceof OutboundResponse
                || msg instanceof Heartbeat
                || msg instanceof Hello;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Object msg, ByteBuf out) {
        if (msg instanceof OutboundRequest request) {
            encodeRequest(ctx.alloc(), MethodIds.of(ctx.channel()), request, out);
        } else if (msg instanceof OutboundResponse response) {
            encodeResponse(ctx.alloc(), response, out);
        } else if (msg instanceof Hello hello) {
            int start = out.writerIndex();
            writeHeader(
                    out,
                    FLAG_HANDSHAKE | (hello.response() ? FLAG_RESPONSE : 0),
                    (byte) 0,
                    hello.status(),
                    hello.requestId());
            hello.writeBodyTo(out);
            finish(out, start);
        } else {
            Heartbeat hb = (Heartbeat) msg;
            int start = out.writerIndex();
            writeHeader(
                    out, FLAG_HEARTBEAT | (hb.response() ? FLAG_RESPONSE : 0), (byte) 0, hb.status(), hb.requestId());
            finish(out, start);
        }
    }

    /** {@code hello} as a frame in a new buffer, for a handler in front of the encoder (the caller owns it). */
    public static ByteBuf encode(ByteBufAllocator alloc, Hello hello) {
        ByteBuf out = alloc.buffer();
        writeHeader(
                out,
                FLAG_HANDSHAKE | (hello.response() ? FLAG_RESPONSE : 0),
                (byte) 0,
                hello.status(),
                hello.requestId());
        hello.writeBodyTo(out);
        finish(out, 0);
        return out;
    }

    private static void encodeRequest(ByteBufAllocator alloc, MethodIds ids, OutboundRequest request, ByteBuf out) {
        int methodId = 0;
        if (ids != null) {
            MethodKey target = request.head().target();
            methodId = ids.idOf(target);
            if (methodId == 0) {
                methodId = ids.bind(target);
                if (methodId != 0) {
                    // a frame of its own, before the request: kept even if this request's arguments fail
                    int start = out.writerIndex();
                    writeHeader(out, FLAG_METHOD_DEF, (byte) 0, Status.OK, methodId);
                    target.writeTo(out);
                    finish(out, start);
                }
            }
        }
        int start = out.writerIndex();
        try {
            if (methodId == 0) {
                writeHeader(out, request.flags(), request.serializer().id(), Status.OK, request.requestId());
                request.head().writeTo(out);
            } else {
                writeHeader(
                        out,
                        request.flags() | FLAG_METHOD_REF,
                        request.serializer().id(),
                        Status.OK,
                        request.requestId());
                request.head().writeTo(out, methodId);
            }
            Object[] args = request.args();
            Codec.writeVarInt(out, args.length);
            for (Object arg : args) {
                Codec.writeValue(out, request.serializer(), arg);
            }
            compress(alloc, request.compression(), out, start);
            finish(out, start);
        } catch (RuntimeException e) {
            out.writerIndex(start);
            if (request.onEncodeFailure() != null) {
                request.onEncodeFailure().accept(e);
            }
        }
    }

    private static void encodeResponse(ByteBufAllocator alloc, OutboundResponse response, ByteBuf out) {
        int start = out.writerIndex();
        try {
            byte serializerId =
                    response.serializer() == null ? 0 : response.serializer().id();
            writeHeader(out, FLAG_RESPONSE, serializerId, response.status(), response.requestId());
            if (response.timed()) {
                Attachments.writeTimed(
                        out,
                        response.attachments(),
                        ResponseHead.QUEUE_KEY_BYTES,
                        response.queueMicros(),
                        ResponseHead.EXEC_KEY_BYTES,
                        response.execMicros());
            } else {
                Attachments.write(out, response.attachments());
            }
            if (response.status() == Status.OK) {
                Codec.writeValue(out, response.serializer(), response.value());
            } else {
                response.error().writeTo(out);
            }
            compress(alloc, response.compression(), out, start);
            finish(out, start);
        } catch (RuntimeException e) {
            out.writerIndex(start);
            encodeResponse(
                    alloc,
                    OutboundResponse.error(
                            response.requestId(),
                            Status.SERVER_ERROR,
                            new ErrorInfo(
                                    e.getClass().getName(),
                                    "The result could not be serialized: " + e.getMessage(),
                                    e.getStackTrace()),
                            response.queueMicros(),
                            response.execMicros()),
                    out);
        }
    }

    private static void writeHeader(ByteBuf out, int flags, byte serializerId, Status status, long requestId) {
        out.writeShort(MAGIC);
        out.writeByte(VERSION);
        out.writeByte(flags);
        out.writeByte(serializerId);
        out.writeByte(0); // compression
        out.writeByte(status.code());
        out.writeByte(0); // reserved
        out.writeLong(requestId);
        out.writeInt(0); // body length, set by finish()
    }

    /** Replaces the body written after {@code start}'s header by its compressed form when the policy says so. */
    private static void compress(ByteBufAllocator alloc, CompressionPolicy policy, ByteBuf out, int start) {
        int bodyStart = start + HEADER_LENGTH;
        Compression codec = policy.choose(out.writerIndex() - bodyStart);
        if (codec == Compression.NONE) {
            return;
        }
        ByteBuf compressed = codec.compress(out.slice(bodyStart, out.writerIndex() - bodyStart), alloc);
        try {
            out.writerIndex(bodyStart);
            out.writeBytes(compressed);
        } finally {
            compressed.release();
        }
        out.setByte(start + COMPRESSION_OFFSET, codec.id());
    }

    private static void finish(ByteBuf out, int start) {
        out.setInt(start + BODY_LENGTH_OFFSET, out.writerIndex() - start - HEADER_LENGTH);
    }
}
