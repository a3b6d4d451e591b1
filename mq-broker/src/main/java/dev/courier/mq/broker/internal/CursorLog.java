package dev.courier.mq.broker.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.zip.CRC32C;

/**
 * The persisted acknowledgement state of one subscription: an append-only file of fixed-size entries.
 *
 * <pre>
 *  0        1                   9         13
 *  +--------+-------------------+---------+
 *  |  kind  |      offset       | crc32c  |      kind FLOOR: every offset below is acknowledged
 *  +--------+-------------------+---------+      kind ACK:   this one offset is acknowledged
 * </pre>
 * The CRC32C covers kind and offset. Loading replays the entries: the state is the last FLOOR and the
 * ACKs above it. A torn or invalid entry ends the replay (acks after it are lost, which only causes
 * redelivery). Once the file grows past {@link #COMPACT_BYTES}, it is rewritten as one FLOOR and the
 * ACKs above it, into a temporary file renamed over the old one.
 *
 * <p>Entries are written to the file at once (they survive the process being killed) and forced by
 * {@link #sync()}, which the broker calls periodically and on close.
 *
 * <p>Not thread-safe: the owning subscription serializes calls.
 */
final class CursorLog implements AutoCloseable {

    static final int KIND_OFFSET = 0;
    static final int OFFSET_OFFSET = 1;
    static final int CRC_OFFSET = 9;
    static final int ENTRY_SIZE = 13;
    static final byte FLOOR = 1;
    static final byte ACK = 2;
    static final long COMPACT_BYTES = 4L << 20;

    private final Path file;
    private FileChannel channel;
    private long size;
    private boolean dirty;

    /** The state read back from a cursor file. */
    record State(long floor, NavigableSet<Long> acked) {
    }

    private CursorLog(Path file, FileChannel channel, long size) {
        this.file = file;
        this.channel = channel;
        this.size = size;
    }

    static boolean exists(Path file) {
        return Files.exists(file);
    }

    /** Creates a new cursor file whose floor is {@code start}. */
    static CursorLog create(Path file, long start) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ch.write(entry(FLOOR, start));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        return new CursorLog(file, ch, ch.size());
    }

    /** Opens an existing cursor file, replaying it into {@code state[0]}. */
    static CursorLog open(Path file, State[] state) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            long fileSize = ch.size();
            ByteBuffer all = ByteBuffer.allocate((int) Math.min(fileSize, Integer.MAX_VALUE - 8));
            while (all.hasRemaining() && ch.read(all, all.position()) > 0) {
                // fill
            }
            all.flip();
            long floor = 0;
            TreeSet<Long> acked = new TreeSet<>();
            long valid = 0;
            while (all.remaining() >= ENTRY_SIZE) {
                int p = all.position();
                byte kind = all.get(p + KIND_OFFSET);
                long offset = all.getLong(p + OFFSET_OFFSET);
                CRC32C crc = new CRC32C();
                crc.update(all.array(), p, CRC_OFFSET);
                if ((int) crc.getValue() != all.getInt(p + CRC_OFFSET) || (kind != FLOOR && kind != ACK)) {
                    break;
                }
                if (kind == FLOOR) {
                    floor = offset;
                    acked.headSet(floor).clear();
                } else if (offset >= floor) {
                    acked.add(offset);
                }
                all.position(p + ENTRY_SIZE);
                valid = all.position();
            }
            while (acked.remove(floor)) {
                floor++;
            }
            if (valid < fileSize) {
                ch.truncate(valid);
            }
            state[0] = new State(floor, acked);
            return new CursorLog(file, ch, valid);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static ByteBuffer entry(byte kind, long offset) {
        ByteBuffer b = ByteBuffer.allocate(ENTRY_SIZE);
        b.put(kind).putLong(offset);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, CRC_OFFSET);
        b.putInt((int) crc.getValue());
        b.flip();
        return b;
    }

    void ack(long offset) throws IOException {
        write(entry(ACK, offset));
    }

    void floor(long floor) throws IOException {
        write(entry(FLOOR, floor));
    }

    private void write(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            size += channel.write(b, size);
        }
        dirty = true;
    }

    /** Whether the file grew enough to be worth {@link #compact compacting}. */
    boolean wantsCompaction() {
        return size > COMPACT_BYTES;
    }

    /** Rewrites the file as the given state. */
    void compact(long floor, NavigableSet<Long> acked) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.allocate(ENTRY_SIZE * (1 + acked.size()));
            buf.put(entry(FLOOR, floor));
            for (long o : acked) {
                buf.put(entry(ACK, o));
            }
            buf.flip();
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        channel.close();
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        size = channel.size();
        dirty = false;
    }

    void sync() throws IOException {
        if (dirty) {
            dirty = false;
            channel.force(false);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            sync();
        } finally {
            channel.close();
        }
    }
}
