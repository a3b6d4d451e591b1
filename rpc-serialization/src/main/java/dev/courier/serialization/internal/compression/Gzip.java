package dev.courier.serialization.internal.compression;

import dev.courier.serialization.Compression;
import dev.courier.serialization.CompressionException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;

import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** GZIP through {@code java.util.zip}, streaming between buffers. Stateless and thread-safe. */
public final class Gzip {

    private static final int CHUNK = 8 * 1024;

    private Gzip() {}

    public static ByteBuf compress(ByteBuf in, ByteBufAllocator alloc) {
        ByteBuf out = alloc.buffer(Math.max(64, in.readableBytes() / 2));
        try (GZIPOutputStream gzip = new GZIPOutputStream(new ByteBufOutputStream(out), CHUNK)) {
            in.getBytes(in.readerIndex(), gzip, in.readableBytes());
        } catch (IOException | RuntimeException e) {
            out.release();
            throw new CompressionException("GZIP compression failed", e);
        }
        return out;
    }

    public static ByteBuf decompress(ByteBuf in, int max, ByteBufAllocator alloc) {
        ByteBuf out = alloc.buffer(Math.min(max, Math.max(64, in.readableBytes() * 2)));
        boolean ok = false;
        try (InputStream gzip = new GZIPInputStream(new ByteBufInputStream(in.duplicate()), CHUNK)) {
            while (true) {
                int room = max - out.writerIndex();
                // Ask for one byte past the limit so a body of exactly max bytes still passes.
                int n = out.writeBytes(gzip, Math.min(CHUNK, room + 1));
                if (n < 0) {
                    break;
                }
                if (out.writerIndex() > max) {
                    throw Compression.tooLarge(max);
                }
            }
            ok = true;
            return out;
        } catch (IOException | RuntimeException e) {
            if (e instanceof CompressionException ce) {
                throw ce;
            }
            throw new CompressionException("Corrupt GZIP body", e);
        } finally {
            if (!ok) {
                out.release();
            }
        }
    }
}
