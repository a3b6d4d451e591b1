package dev.courier.mq.broker.testing;

import dev.courier.mq.broker.storage.Storage;
import dev.courier.mq.broker.storage.StorageFile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * The real file system (or another {@link Storage}) with hooks around reads and before forces,
 * directory syncs, renames and deletes, for tests that watch or break the broker's I/O. Override the
 * hooks; each may throw to inject a failure.
 */
public class ForwardingStorage implements Storage {

    private final Storage real;

    /** Over the real file system. */
    public ForwardingStorage() {
        this(Storage.files());
    }

    /** Over {@code real} (a {@link dev.courier.mq.broker.storage.SimulatedDisk}, say). */
    public ForwardingStorage(Storage real) {
        this.real = real;
    }

    /** Before a read of {@code file}. */
    protected void beforeRead(Path file) throws IOException {}

    /** After a read of {@code file} that returned {@code bytes} (-1 at the end). */
    protected void afterRead(Path file, int bytes) {}

    /** Before {@code from} is renamed to {@code to}. */
    protected void beforeMove(Path from, Path to) throws IOException {}

    /** Before a force of {@code file}. */
    protected void beforeForce(Path file) throws IOException {}

    /** Before a sync of {@code dir}. */
    protected void beforeSyncDirectory(Path dir) throws IOException {}

    /** Before {@code file} is deleted. */
    protected void beforeDelete(Path file) throws IOException {}

    /** After {@code file} was opened. */
    protected void afterOpen(Path file) {}

    /** After a file opened through this storage was closed (once per open). */
    protected void afterClose(Path file) {}

    @Override
    public StorageFile open(Path file, OpenMode mode) throws IOException {
        StorageFile f = real.open(file, mode);
        afterOpen(file);
        return new StorageFile() {
            private boolean closed;

            @Override
            public int write(ByteBuffer src, long position) throws IOException {
                return f.write(src, position);
            }

            @Override
            public int read(ByteBuffer dst, long position) throws IOException {
                beforeRead(file);
                int n = f.read(dst, position);
                afterRead(file, n);
                return n;
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
                beforeForce(file);
                f.force(metadata);
            }

            @Override
            public void close() throws IOException {
                boolean first;
                synchronized (this) {
                    first = !closed;
                    closed = true;
                }
                try {
                    f.close();
                } finally {
                    if (first) {
                        afterClose(file);
                    }
                }
            }
        };
    }

    @Override
    public boolean exists(Path path) {
        return real.exists(path);
    }

    @Override
    public boolean isDirectory(Path path) {
        return real.isDirectory(path);
    }

    @Override
    public List<String> list(Path dir) throws IOException {
        return real.list(dir);
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
        real.createDirectories(dir);
    }

    @Override
    public void move(Path from, Path to) throws IOException {
        beforeMove(from, to);
        real.move(from, to);
    }

    @Override
    public void deleteIfExists(Path file) throws IOException {
        beforeDelete(file);
        real.deleteIfExists(file);
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        beforeSyncDirectory(dir);
        real.syncDirectory(dir);
    }

    @Override
    public long lastModified(Path file) throws IOException {
        return real.lastModified(file);
    }
}
