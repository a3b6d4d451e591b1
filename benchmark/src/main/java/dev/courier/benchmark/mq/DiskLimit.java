package dev.courier.benchmark.mq;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * The physical limit of durable appends on this disk: a {@link FileChannel} appended to by many
 * threads, with one flusher forcing it at most every millisecond (group commit). An append returns
 * once an fsync that began after it has returned. No framing, no checksums, no network.
 *
 * <p>Thread-safe; {@link #close()} stops the flusher and closes the file.
 */
final class DiskLimit implements AutoCloseable {

    private final FileChannel channel;
    private final Thread flusher;
    private long written;
    private long durable;
    private volatile boolean closed;

    DiskLimit(Path file) throws IOException {
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        flusher = new Thread(this::flushLoop, "disk-limit-flusher");
        flusher.setDaemon(true);
        flusher.start();
    }

    /** Appends {@code record} and waits until it is on disk. */
    void appendDurably(byte[] record) throws InterruptedException {
        long end;
        synchronized (this) {
            try {
                channel.write(ByteBuffer.wrap(record));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            end = written += record.length;
            while (durable < end && !closed) {
                wait();
            }
        }
    }

    private void flushLoop() {
        try {
            while (!closed) {
                long target;
                synchronized (this) {
                    if (written == durable) {
                        wait(1);
                        continue;
                    }
                    target = written;
                }
                channel.force(false);
                synchronized (this) {
                    durable = target;
                    notifyAll();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        synchronized (this) {
            notifyAll();
        }
        try {
            flusher.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            channel.close();
        }
    }
}
