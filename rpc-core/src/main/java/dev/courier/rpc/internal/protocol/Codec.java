package dev.courier.rpc.internal.protocol;

import dev.courier.serialization.Serializer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.nio.charset.StandardCharsets;

/**
 * The primitive encodings bodies are made of.
 *
 * <ul>
 *   <li>varint: unsigned LEB128, at most 5 bytes.</li>
 *   <li>string: varint {@code n}; {@code 0} is {@code null}, otherwise {@code n - 1} UTF-8 bytes follow.</li>
 *   <li>value: i32 {@code n} then {@code n} bytes written by the frame's serializer.</li>
 * </ul>
 *
 * <p>Readers throw {@link ProtocolException} on truncated or malformed input.
 */
public final class Codec {

    private static final int MAX_STRING_BYTES = 1 << 20;

    private Codec() {}

    public static void writeVarInt(ByteBuf out, int value) {
        while ((value & ~0x7F) != 0) {
            out.writeByte((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.writeByte(value);
    }

    public static int readVarInt(ByteBuf in) {
        int result = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            if (!in.isReadable()) {
                throw new ProtocolException("Truncated varint");
            }
            byte b = in.readByte();
            result |= (b & 0x7F) << shift;
            if (b >= 0) {
                return result;
            }
        }
        throw new ProtocolException("Varint longer than 5 bytes");
    }

    public static void writeString(ByteBuf out, String s) {
        if (s == null) {
            out.writeByte(0);
            return;
        }
        int utf8Length = ByteBufUtil.utf8Bytes(s);
        writeVarInt(out, utf8Length + 1);
        ByteBufUtil.reserveAndWriteUtf8(out, s, utf8Length);
    }

    public static String readString(ByteBuf in) {
        int n = readVarInt(in);
        if (n == 0) {
            return null;
        }
        int length = n - 1;
        if (length < 0 || length > MAX_STRING_BYTES || length > in.readableBytes()) {
            throw new ProtocolException(
                    "String length " + length + " exceeds the " + in.readableBytes() + " bytes left");
        }
        String s = in.toString(in.readerIndex(), length, StandardCharsets.UTF_8);
        in.skipBytes(length);
        return s;
    }

    /** Writes {@code value} length-prefixed, serialized straight into {@code out}. */
    public static void writeValue(ByteBuf out, Serializer serializer, Object value) {
        int lengthIndex = out.writerIndex();
        out.writeInt(0);
        serializer.serialize(value, out);
        out.setInt(lengthIndex, out.writerIndex() - lengthIndex - 4);
    }

    /** Reads one length-prefixed value as a {@code type}. */
    public static <T> T readValue(ByteBuf in, Serializer serializer, Class<T> type) {
        if (in.readableBytes() < 4) {
            throw new ProtocolException("Truncated value length");
        }
        int length = in.readInt();
        if (length < 0 || length > in.readableBytes()) {
            throw new ProtocolException(
                    "Value length " + length + " exceeds the " + in.readableBytes() + " bytes left");
        }
        ByteBuf slice = in.readSlice(length);
        return serializer.deserialize(slice, type);
    }
}
