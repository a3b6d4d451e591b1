package dev.courier.mq.broker.internal;

import dev.courier.mq.broker.storage.Storage;
import dev.courier.mq.broker.storage.StorageFile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A file holding one offset, replaced atomically (temporary file, force, rename, directory sync): where a scan of
 * a topic's log for held messages (delayed originals, half messages) starts after a restart.
 */
final class OffsetCheckpoint {

    static final String NAME = "checkpoint";

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
        Path tmp = dir.resolve(NAME + ".tmp");
        try (StorageFile f = storage.open(tmp, Storage.OpenMode.CREATE_OR_TRUNCATE)) {
            f.writeFully(ByteBuffer.wrap((offset + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            f.force(true);
        }
        storage.move(tmp, dir.resolve(NAME));
        storage.syncDirectory(dir);
    }

    /**
     * The stored offset.
     *
     * @throws IOException if it cannot be read or holds no offset (the held messages must not be forgotten)
     */
    static long read(Storage storage, Path dir) throws IOException {
        Path file = dir.resolve(NAME);
        try (StorageFile f = storage.open(file, Storage.OpenMode.EXISTING)) {
            long size = f.size();
            if (size > 32) {
                throw new IOException(file + " holds " + size + " bytes, not an offset");
            }
            ByteBuffer b = ByteBuffer.allocate((int) size);
            f.readFully(b, 0);
            try {
                return Long.parseLong(new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).trim());
            } catch (NumberFormatException e) {
                throw new IOException(file + " does not hold an offset", e);
            }
        }
    }
}
