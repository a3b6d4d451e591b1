package dev.courier.serialization;

import dev.courier.serialization.internal.compression.Gzip;
import dev.courier.serialization.internal.compression.Lz4;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The body compression codecs, identified on the wire by {@link #id()} (the frame header's compression
 * id). Each method reads the readable bytes of its input without moving the input's indices and without
 * releasing it; the returned buffer belongs to the caller, who must release it.
 *
 * <ul>
 *   <li>{@link #NONE}: the bytes as they are (a retained slice of the input).</li>
 *   <li>{@link #GZIP}: the GZIP format (RFC 1952), streamed through {@code java.util.zip}.</li>
 *   <li>{@link #LZ4}: one LZ4 block behind its decompressed length:
 *   <pre>
 *   offset 0  int32 (big-endian)  decompressed length
 *   offset 4  bytes               LZ4 block
 *   </pre></li>
 * </ul>
 *
 * <p>This enum is thread-safe.
 */
public enum Compression {
    NONE((byte) 0),
    GZIP((byte) 1),
    LZ4((byte) 2);

    private final byte id;

    Compression(byte id) {
        this.id = id;
    }

    /** The id carried in the frame header. */
    public byte id() {
        return id;
    }

    /**
     * The codec with frame-header id {@code id}.
     *
     * @throws CompressionException when no codec has that id
     */
    public static Compression byId(byte id) {
        for (Compression c : values()) {
            if (c.id == id) {
                return c;
            }
        }
        throw new CompressionException("Unknown compression id " + id);
    }

    /** Compresses the readable bytes of {@code in} into a new buffer from {@code alloc}. */
    public ByteBuf compress(ByteBuf in, ByteBufAllocator alloc) {
        return switch (this) {
            case NONE -> in.retainedSlice();
            case GZIP -> Gzip.compress(in, alloc);
            case LZ4 -> Lz4.compress(in, alloc);
        };
    }

    /**
     * Decompresses the readable bytes of {@code in} into a new buffer from {@code alloc}.
     *
     * @throws CompressionException when the bytes are corrupt or would decompress to more than
     *         {@code maxDecompressedBytes}; nothing is left allocated then
     */
    public ByteBuf decompress(ByteBuf in, int maxDecompressedBytes, ByteBufAllocator alloc) {
        if (maxDecompressedBytes < 0) {
            throw new IllegalArgumentException("maxDecompressedBytes < 0: " + maxDecompressedBytes);
        }
        return switch (this) {
            case NONE -> {
                if (in.readableBytes() > maxDecompressedBytes) {
                    throw tooLarge(maxDecompressedBytes);
                }
                yield in.retainedSlice();
            }
            case GZIP -> Gzip.decompress(in, maxDecompressedBytes, alloc);
            case LZ4 -> Lz4.decompress(in, maxDecompressedBytes, alloc);
        };
    }

    /** The exception for a body that decompresses past {@code max} bytes. */
    public static CompressionException tooLarge(int max) {
        return new CompressionException("Decompressed body exceeds the maximum of " + max + " bytes");
    }
}
