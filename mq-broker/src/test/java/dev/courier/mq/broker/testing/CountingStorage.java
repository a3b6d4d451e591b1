package dev.courier.mq.broker.testing;

import dev.courier.mq.broker.storage.StorageFile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/** The real file system, counting the files the broker has open through it. */
public final class CountingStorage extends ForwardingStorage {

    private final AtomicInteger open = new AtomicInteger();

    /** Files opened and not yet closed. */
    public AtomicInteger openFiles() {
        return open;
    }

    @Override
    public StorageFile open(Path file, OpenMode mode) throws IOException {
        StorageFile f = super.open(file, mode);
        open.incrementAndGet();
        return new StorageFile() {
            private boolean closed;

            @Override
            public int write(ByteBuffer src, long position) throws IOException {
                return f.write(src, position);
            }

            @Override
            public int read(ByteBuffer dst, long position) throws IOException {
                return f.read(dst, position);
            }

            @Override
            public long size() throws IOException {
                return f.size();
            }

            @Override
            public void truncate(long size) throws IOException {
                f.truncate(size);
            }

            @Override
            public void force(boolean metadata) throws IOException {
                f.force(metadata);
            }

            @Override
            public void close() throws IOException {
                if (!closed) {
                    closed = true;
                    open.decrementAndGet();
                }
                f.close();
            }
        };
    }
}
