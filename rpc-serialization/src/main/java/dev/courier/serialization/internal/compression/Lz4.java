package dev.courier.serialization.internal.compression;

import dev.courier.serialization.Compression;
import dev.courier.serialization.CompressionException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * LZ4 blocks through lz4-java's pure-Java safe implementation (no native library, no
 * {@code sun.misc.Unsafe}). Layout: int32 decompressed length, then one LZ4 block. Thread-safe.
 */
public final class Lz4 {

    /** Offset of the decompressed length. */
    static final int LENGTH_OFFSET = 0;
    /** Offset of the LZ4 block. */
    static final int BLOCK_OFFSET = 4;

    private static final LZ4Factory FACTORY = LZ4Factory.safeInstance();
    private static final LZ4Compressor COMPRESSOR = FACTORY.fastCompressor();
    private static final LZ4SafeDecompressor DECOMPRESSOR = FACTORY.safeDecompressor();

    private Lz4() {}

    public static ByteBuf compress(ByteBuf in, ByteBufAllocator alloc) {
        int length = in.readableBytes();
        byte[] src = bytes(in);
        int srcOffset = in.hasArray() ? in.arrayOffset() + in.readerIndex() : 0;
        int maxBlock = COMPRESSOR.maxCompressedLength(length);
        ByteBuf out = alloc.heapBuffer(BLOCK_OFFSET + maxBlock);
        try {
            out.setInt(LENGTH_OFFSET, length);
            int written = COMPRESSOR.compress(
                    src, srcOffset, length, out.array(), out.arrayOffset() + BLOCK_OFFSET, maxBlock);
            out.writerIndex(BLOCK_OFFSET + written);
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw new CompressionException("LZ4 compression failed", e);
        }
    }

    public static ByteBuf decompress(ByteBuf in, int max, ByteBufAllocator alloc) {
        if (in.readableBytes() < BLOCK_OFFSET) {
            throw new CompressionException("Corrupt LZ4 body: " + in.readableBytes() + " bytes");
        }
        int length = in.getInt(in.readerIndex() + LENGTH_OFFSET);
        if (length < 0) {
            throw new CompressionException("Corrupt LZ4 body: length " + length);
        }
        if (length > max) {
            throw Compression.tooLarge(max);
        }
        byte[] src = bytes(in);
        int srcOffset = (in.hasArray() ? in.arrayOffset() + in.readerIndex() : 0) + BLOCK_OFFSET;
        ByteBuf out = alloc.heapBuffer(length);
        try {
            int n = DECOMPRESSOR.decompress(
                    src, srcOffset, in.readableBytes() - BLOCK_OFFSET, out.array(), out.arrayOffset(), length);
            if (n != length) {
                throw new CompressionException("Corrupt LZ4 body: " + n + " bytes where " + length + " were announced");
            }
            out.writerIndex(length);
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e instanceof CompressionException ce ? ce : new CompressionException("Corrupt LZ4 body", e);
        }
    }

    private static byte[] bytes(ByteBuf in) {
        return in.hasArray() ? in.array() : ByteBufUtil.getBytes(in, in.readerIndex(), in.readableBytes(), false);
    }
}
