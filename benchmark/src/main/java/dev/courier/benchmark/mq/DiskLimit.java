package dev.courier.benchmark.mq;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The physical limit of durable appends on this disk: callers hand records to one writer thread,
 * which appends everything queued with one gathering write and then forces the file (group commit:
 * an fsync starts as soon as the previous one returns, within 1 ms of new data). An append completes
 * once an fsync covering it has returned. No framing, no checksums, no network.
 *
 * <p>Thread-safe; {@link #close()} stops the writer and closes the file.
 */
final class DiskLimit implements AutoCloseable {

    private record Pending(byte[] record, CompletableFuture<Void> durable) {}

    private final FileChannel channel;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean closed;

    DiskLimit(Path file) throws IOException {
        channel = FileChannel.open(
                file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        writer = new Thread(this::writeLoop, "disk-limit-writer");
        writer.setDaemon(true);
        writer.start();
    }

    /** Appends {@code record} and waits until it is on disk. */
    void appendDurably(byte[] record) throws Exception {
        CompletableFuture<Void> durable = new CompletableFuture<>();
        queue.add(new Pending(record, durable));
        durable.get(30, TimeUnit.SECONDS);
    }

    private void writeLoop() {
        List<Pending> batch = new ArrayList<>();
        try {
            while (!closed) {
                Pending first = queue.poll(1, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch);
                ByteBuffer[] buffers = new ByteBuffer[batch.size()];
                for (int i = 0; i < buffers.length; i++) {
                    buffers[i] = ByteBuffer.wrap(batch.get(i).record());
                }
                while (buffers[buffers.length - 1].hasRemaining()) {
                    channel.write(buffers);
                }
                channel.force(false);
                batch.forEach(p -> p.durable().complete(null));
                batch.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            batch.forEach(p -> p.durable().completeExceptionally(e));
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        try {
            writer.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            channel.close();
        }
    }
}
