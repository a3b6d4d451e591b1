package dev.courier.serialization;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

/**
 * Turns objects into bytes and back. A serializer is self-describing within its allowlist: it writes
 * enough type information to rebuild the runtime class of a value (so a {@code List} parameter may
 * carry an {@code ArrayList}), and it refuses any class outside its {@link TypeAllowlist} on both
 * the write and the read side with a {@link SerializationException} that names the class.
 *
 * <p>Instances are created by a {@link SerializerProvider} for one allowlist. Implementations are
 * thread-safe: one instance serves every connection and thread of an endpoint.
 */
public interface Serializer {

    /** The id carried in the frame header; unique among the installed serializers. */
    byte id();

    /** A short lower-case name such as {@code kryo}, used in configuration. */
    String name();

    /**
     * Appends the encoding of {@code value} (which may be {@code null}) to {@code out}, starting at its
     * writer index. On failure the writer index of {@code out} may have moved; the caller discards
     * the buffer.
     *
     * @throws SerializationException when the value's class (or a class inside it) is not allowed,
     *         or the value cannot be encoded
     */
    void serialize(Object value, ByteBuf out);

    /**
     * Decodes one value from all readable bytes of {@code in}, consuming them.
     *
     * @throws SerializationException when the bytes name a class outside the allowlist, are corrupt,
     *         or decode to something that is not a {@code type}
     */
    <T> T deserialize(ByteBuf in, Class<T> type);

    /** Encodes {@code value} into a new array; convenience for cold paths and tests. */
    default byte[] serialize(Object value) {
        ByteBuf buf = Unpooled.buffer();
        try {
            serialize(value, buf);
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    /** Decodes one value from the whole array; convenience for cold paths and tests. */
    default <T> T deserialize(byte[] bytes, Class<T> type) {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        try {
            return deserialize(buf, type);
        } finally {
            buf.release();
        }
    }
}
