package dev.courier.mq.broker.internal;

import dev.courier.mq.broker.storage.ChecksummedFile;
import dev.courier.mq.broker.storage.Storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A file holding one offset, a {@link ChecksummedFile} (replaced atomically, refused whole when damaged): where a
 * scan of a topic's log for held messages (delayed originals, half messages) starts after a restart.
 */
final class OffsetCheckpoint {

    static final String NAME = "checkpoint";
    private static final int MAGIC = 0x43484b50; // "CHKP"

    private final Storage storage;
    private final Path dir;
    /** The offset stored last, or -1 before the first. */
    private long stored = -1;

    /** The checkpoint in {@code dir}. */
    OffsetCheckpoint(Storage storage, Path dir) {
        this.storage = storage;
        this.dir = dir;
    }

    /** Stores {@code offset} unless it is what was stored last; blocks on disk I/O. Thread-safe. */
    void moveTo(long offset) throws IOException {
        synchronized (this) {
            if (offset == stored) {
                return;
            }
        }
        write(storage, dir, offset);
        synchronized (this) {
            stored = offset;
        }
    }

    /** The stored offset, read from the file (see {@link #read(Storage, Path)}); remembered as stored. */
    long read() throws IOException {
        long offset = read(storage, dir);
        synchronized (this) {
            stored = offset;
        }
        return offset;
    }

    static boolean exists(Storage storage, Path dir) {
        return storage.exists(dir.resolve(NAME));
    }

    /** Creates {@code dir} if needed and stores {@code offset} in it, durably. */
    static void write(Storage storage, Path dir, long offset) throws IOException {
        storage.createDirectoriesDurably(dir);
        ChecksummedFile.write(
                storage,
                dir.resolve(NAME),
                MAGIC,
                ByteBuffer.allocate(Long.BYTES).putLong(offset).flip());
    }

    /**
     * The stored offset.
     *
     * @throws IOException if it cannot be read or holds no offset (the held messages must not be forgotten)
     */
    static long read(Storage storage, Path dir) throws IOException {
        Path file = dir.resolve(NAME);
        ByteBuffer body = ChecksummedFile.read(storage, file, MAGIC, Long.BYTES);
        if (body == null || body.remaining() != Long.BYTES) {
            throw new IOException(file + " does not hold an offset");
        }
        return body.getLong();
    }
}
