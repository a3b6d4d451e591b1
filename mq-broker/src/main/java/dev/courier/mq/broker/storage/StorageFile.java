package dev.courier.mq.broker.storage;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * An open file of a {@link Storage}, read and written at explicit positions, as {@code FileChannel}'s
 * positional methods are. Thread-safe for concurrent positional reads and one writer; closing it while
 * a call runs makes that call fail with {@link java.nio.channels.ClosedChannelException}.
 */
public interface StorageFile extends AutoCloseable {

    /** Writes the remaining bytes of {@code src} at {@code position}; returns how many were written. */
    int write(ByteBuffer src, long position) throws IOException;

    /** Reads into {@code dst} from {@code position}; returns the bytes read, or -1 at the end. */
    int read(ByteBuffer dst, long position) throws IOException;

    long size() throws IOException;

    void truncate(long size) throws IOException;

    /** Makes every byte written so far durable (and the file's size; {@code metadata} also its times). */
    void force(boolean metadata) throws IOException;

    @Override
    void close() throws IOException;

    /** Writes all of {@code src} at {@code position}. */
    default void writeFully(ByteBuffer src, long position) throws IOException {
        long p = position;
        while (src.hasRemaining()) {
            p += write(src, p);
        }
    }

    /** Reads until {@code dst} is full or the file ends; returns the bytes read. */
    default int readFully(ByteBuffer dst, long position) throws IOException {
        int total = 0;
        while (dst.hasRemaining()) {
            int n = read(dst, position + total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }
}
