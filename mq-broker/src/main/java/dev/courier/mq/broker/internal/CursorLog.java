package dev.courier.mq.broker.internal;

import dev.courier.mq.broker.storage.Storage;
import dev.courier.mq.broker.storage.StorageFile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.CRC32C;

/**
 * The persisted state of one subscription: its acknowledgements and how often its unacknowledged
 * messages were delivered, as an append-only file of entries whose first byte, the kind, fixes their
 * size. Big-endian.
 *
 * <pre>
 *  kinds FLOOR, ACK, HANDED_OUT, RESET: 13 bytes
 *  0        1                   9         13
 *  +--------+-------------------+---------+
 *  |  kind  |      offset       | crc32c  |
 *  +--------+-------------------+---------+
 *
 *  kind DELIVERIES: 17 bytes
 *  0        1                   9         13        17
 *  +--------+-------------------+---------+---------+
 *  |  kind  |      offset       |  count  | crc32c  |
 *  +--------+-------------------+---------+---------+
 *
 *  FLOOR (1)       every offset below is acknowledged
 *  ACK (2)         this one offset is acknowledged
 *  HANDED_OUT (3)  every offset below that is not acknowledged was delivered at least once
 *  DELIVERIES (4)  this offset was delivered count times (at least 2; 1 for a first delivery above the
 *                  HANDED_OUT mark, which a key-ordered subscription makes of a message it held back)
 *  RESET (5)       an operator's seek: every offset below is acknowledged, none at or above it is,
 *                  and nothing before counts (acks, delivery counts, hand-out mark)
 * </pre>
 * The CRC32C covers every byte of the entry before it. Loading replays the entries: the state is the
 * last FLOOR, the ACKs above it, the highest HANDED_OUT, and the last DELIVERIES of each offset that is
 * not acknowledged. An unknown kind, a bad CRC or a short entry ends the replay and is cut off (torn
 * tail); what followed is lost, which only causes redelivery and lower delivery counts.
 *
 * <p><b>Delivery counts.</b> The subscription appends DELIVERIES before it hands out a second or later
 * delivery, and HANDED_OUT (once per fetch, not per message) before it hands out first deliveries. So
 * after a restart, an unacknowledged message continues from its persisted count, or from 1 if it lies
 * below the HANDED_OUT mark: its delivery count and dead-lettering go on where they were, however
 * often the broker restarts. That holds for entries that reached the disk: entries are written at once
 * (a killed process loses none) but forced only by {@link #sync()}, so a machine crash may lose the
 * entries since the last sync, and the counts may then be lower by the deliveries of that interval.
 *
 * <p><b>Versions.</b> The file has no header or version number; kinds are the unit of change. Files
 * written before delivery counts existed hold only FLOOR and ACK entries and read as before (no
 * counts, HANDED_OUT at the floor). A broker from before delivery counts reading a newer file stops at
 * the first HANDED_OUT or DELIVERIES entry and cuts it and everything after it, losing those acks
 * (messages are redelivered, never lost); to downgrade, let the subscriptions drain first. RESET came
 * after them: a broker from before it stops at the first RESET the same way, so a seek forward is
 * undone (the skipped messages are delivered) and a seek back is lost.
 *
 * <p>When the file grows past {@link #COMPACT_BYTES}, {@link #compact} rewrites it as one FLOOR, the ACKs
 * above it, one HANDED_OUT and the DELIVERIES of unacknowledged offsets, into a temporary file renamed
 * over the old one.
 *
 * <p><b>File handles.</b> An idle cursor holds no open file, so that a broker with many idle subscriptions
 * does not run out of descriptors: the file is opened for the first entry written after it was created
 * or loaded, and
 * {@link #releaseIfIdle} closes it once nothing was written for {@value #IDLE_PASSES} housekeeping passes
 * and everything written is forced.
 *
 * <p><b>Threads.</b> The owning subscription makes every call under its monitor, except the slow ones:
 * {@link #sync()}, {@link #writeCompacted} and {@link #syncDirectory()} are made outside it, by one
 * housekeeping thread at a time, and may run while entries are written. {@link #releaseIfIdle} is made
 * under the monitor by that housekeeping thread, after its sync.
 */
final class CursorLog implements AutoCloseable {

    static final int KIND_OFFSET = 0;
    static final int OFFSET_OFFSET = 1;
    /** Where the CRC of a FLOOR, ACK or HANDED_OUT entry is. */
    static final int CRC_OFFSET = 9;
    /** The size of a FLOOR, ACK or HANDED_OUT entry. */
    static final int ENTRY_SIZE = 13;

    static final int COUNT_OFFSET = 9;
    /** Where the CRC of a DELIVERIES entry is. */
    static final int COUNTED_CRC_OFFSET = 13;
    /** The size of a DELIVERIES entry. */
    static final int COUNTED_ENTRY_SIZE = 17;

    static final byte FLOOR = 1;
    static final byte ACK = 2;
    static final byte HANDED_OUT = 3;
    static final byte DELIVERIES = 4;
    static final byte RESET = 5;
    static final long COMPACT_BYTES = 4L << 20;
    /** Housekeeping passes without a write after which the file is closed. */
    static final int IDLE_PASSES = 30;

    private final Storage storage;
    private final Path file;
    /** The open file, or null while idle; written under the monitor, read by the sync outside it. */
    private volatile StorageFile channel;

    private long size;
    /** Housekeeping passes since the last write; under the monitor. */
    private int idlePasses;

    private volatile boolean dirty;
    /** While a compaction runs: the entries written since its snapshot, to carry over; else null. */
    private List<ByteBuffer> sinceSnapshot;

    /**
     * The state read back from a cursor file, or to compact into one.
     *
     * @param floor          every offset below is acknowledged
     * @param acked          offsets above the floor that are acknowledged
     * @param handedOutBelow every offset below that is not acknowledged was delivered at least once
     * @param deliveries     delivery counts (at least 2) of offsets that are not acknowledged
     */
    record State(long floor, NavigableSet<Long> acked, long handedOutBelow, NavigableMap<Long, Integer> deliveries) {

        /** The state of a new cursor at {@code floor}. */
        static State at(long floor) {
            return new State(floor, new TreeSet<>(), floor, new TreeMap<>());
        }
    }

    private CursorLog(Storage storage, Path file, StorageFile channel, long size) {
        this.storage = storage;
        this.file = file;
        this.channel = channel;
        this.size = size;
    }

    /** Creates a new cursor file on the real file system; see {@link #create(Storage, Path, long)}. */
    static CursorLog create(Path file, long start) throws IOException {
        return create(Storage.files(), file, start);
    }

    /**
     * Creates a new cursor file whose floor is {@code start}: written to a temporary file, forced,
     * renamed into place, and the directory synced, so the new cursor is durable when this returns.
     */
    static CursorLog create(Storage storage, Path file, long start) throws IOException {
        Path dir = file.getParent();
        storage.createDirectoriesDurably(dir);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (StorageFile ch = storage.open(tmp, Storage.OpenMode.CREATE_OR_TRUNCATE)) {
            ch.writeFully(entry(FLOOR, start), 0);
            ch.force(true);
        }
        storage.move(tmp, file);
        storage.syncDirectory(dir);
        return new CursorLog(storage, file, null, ENTRY_SIZE); // opened for the first entry written
    }

    /** Opens an existing cursor file on the real file system; see {@link #open(Storage, Path, State[])}. */
    static CursorLog open(Path file, State[] state) throws IOException {
        return open(Storage.files(), file, state);
    }

    /** Opens an existing cursor file, replaying it into {@code state[0]} and cutting a torn tail. */
    static CursorLog open(Storage storage, Path file, State[] state) throws IOException {
        StorageFile ch = storage.open(file, Storage.OpenMode.EXISTING);
        long valid;
        try {
            long fileSize = ch.size();
            if (fileSize > Integer.MAX_VALUE - 8) {
                throw new IOException("Cursor file " + file + " is " + fileSize + " bytes; at most "
                        + (Integer.MAX_VALUE - 8) + " can be read");
            }
            ByteBuffer all = ByteBuffer.allocate((int) fileSize);
            ch.readFully(all, 0);
            all.flip();
            long floor = 0;
            TreeSet<Long> acked = new TreeSet<>();
            long handedOutBelow = Long.MIN_VALUE;
            TreeMap<Long, Integer> deliveries = new TreeMap<>();
            int p = 0;
            while (true) {
                int size = sizeOf(all, p);
                if (size < 0 || !crcMatches(all, p, size)) {
                    break;
                }
                byte kind = all.get(p + KIND_OFFSET);
                long offset = all.getLong(p + OFFSET_OFFSET);
                switch (kind) {
                    case FLOOR -> {
                        floor = offset;
                        acked.headSet(floor).clear();
                        deliveries.headMap(floor).clear();
                    }
                    case ACK -> {
                        if (offset >= floor) {
                            acked.add(offset);
                            deliveries.remove(offset);
                        }
                    }
                    case HANDED_OUT -> handedOutBelow = Math.max(handedOutBelow, offset);
                    case RESET -> {
                        floor = offset;
                        acked.clear();
                        deliveries.clear();
                        handedOutBelow = offset;
                    }
                    case DELIVERIES -> {
                        if (offset >= floor && !acked.contains(offset)) {
                            deliveries.put(offset, all.getInt(p + COUNT_OFFSET));
                        }
                    }
                    default -> throw new IllegalStateException("sizeOf accepted kind " + kind);
                }
                p += size;
            }
            while (acked.remove(floor)) {
                floor++;
            }
            deliveries.headMap(floor).clear();
            if (p < fileSize) {
                ch.truncate(p);
                ch.force(false);
            }
            state[0] = new State(floor, acked, Math.max(floor, handedOutBelow), deliveries);
            valid = p;
        } finally {
            ch.close(); // opened again for the first entry written
        }
        return new CursorLog(storage, file, null, valid);
    }

    /** The size of the entry at {@code p}, or -1 if there is none: an unknown kind or too few bytes. */
    private static int sizeOf(ByteBuffer all, int p) {
        if (p >= all.limit()) {
            return -1;
        }
        int size = switch (all.get(p + KIND_OFFSET)) {
            case FLOOR, ACK, HANDED_OUT, RESET -> ENTRY_SIZE;
            case DELIVERIES -> COUNTED_ENTRY_SIZE;
            default -> -1;
        };
        return size > 0 && all.limit() - p >= size ? size : -1;
    }

    private static boolean crcMatches(ByteBuffer all, int p, int size) {
        CRC32C crc = new CRC32C();
        crc.update(all.array(), p, size - 4);
        return (int) crc.getValue() == all.getInt(p + size - 4);
    }

    private static ByteBuffer entry(byte kind, long offset) {
        ByteBuffer b = ByteBuffer.allocate(ENTRY_SIZE);
        b.put(kind).putLong(offset);
        return sealed(b);
    }

    private static ByteBuffer countedEntry(byte kind, long offset, int count) {
        ByteBuffer b = ByteBuffer.allocate(COUNTED_ENTRY_SIZE);
        b.put(kind).putLong(offset).putInt(count);
        return sealed(b);
    }

    /** Appends the CRC of what {@code b} holds so far and flips it. */
    private static ByteBuffer sealed(ByteBuffer b) {
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
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

    /** Records an operator's seek to {@code offset}: below it all is acknowledged, at or above it nothing. */
    void reset(long offset) throws IOException {
        write(entry(RESET, offset));
    }

    /** Records that every offset below {@code offset} that is not acknowledged was delivered at least once. */
    void handedOutBelow(long offset) throws IOException {
        write(entry(HANDED_OUT, offset));
    }

    /** Records that {@code offset} is being delivered for the {@code count}-th time ({@code count >= 2}). */
    void deliveries(long offset, int count) throws IOException {
        if (count < 1) {
            throw new IllegalArgumentException("a delivery count is at least 1");
        }
        write(countedEntry(DELIVERIES, offset, count));
    }

    /**
     * Appends one entry. If the write fails (a full disk), whatever part of it reached the file is cut
     * off again, so a later entry never follows a torn one; the state it records is then not stored.
     */
    private void write(ByteBuffer b) throws IOException {
        long start = size;
        StorageFile ch = channel;
        if (ch == null) {
            ch = storage.open(file, Storage.OpenMode.EXISTING);
            channel = ch;
        }
        idlePasses = 0;
        try {
            ch.writeFully(b, start);
        } catch (IOException e) {
            try {
                ch.truncate(start);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        size = start + b.limit();
        dirty = true;
        if (sinceSnapshot != null) {
            sinceSnapshot.add(b.duplicate().rewind());
        }
    }

    /** Whether the file grew enough to be worth {@link #compact compacting}. */
    boolean wantsCompaction() {
        return size > COMPACT_BYTES;
    }

    /** The bytes in the file. */
    long size() {
        return size;
    }

    /**
     * Starts a compaction: from now on, entries written are also kept to be carried over into the
     * compacted file. Under the owner's monitor, with the state copied at the same moment.
     */
    void beginCompaction() {
        sinceSnapshot = new ArrayList<>();
    }

    /**
     * Writes {@code state} (copied when the compaction began) to a temporary file and forces it: its
     * floor, its acks above the floor, its HANDED_OUT mark (if above the floor) and the delivery counts
     * of offsets at or above the floor that are not acknowledged. Outside the owner's monitor.
     */
    void writeCompacted(State state) throws IOException {
        long floor = state.floor();
        NavigableSet<Long> acked = state.acked().tailSet(floor, true);
        NavigableMap<Long, Integer> counts = new TreeMap<>(state.deliveries().tailMap(floor, true));
        counts.keySet().removeAll(acked);
        boolean mark = state.handedOutBelow() > floor;
        int bytes = ENTRY_SIZE * (1 + acked.size() + (mark ? 1 : 0)) + COUNTED_ENTRY_SIZE * counts.size();
        try (StorageFile ch = storage.open(tmpFile(), Storage.OpenMode.CREATE_OR_TRUNCATE)) {
            ByteBuffer buf = ByteBuffer.allocate(bytes);
            buf.put(entry(FLOOR, floor));
            for (long o : acked) {
                buf.put(entry(ACK, o));
            }
            if (mark) {
                buf.put(entry(HANDED_OUT, state.handedOutBelow()));
            }
            for (Map.Entry<Long, Integer> e : counts.entrySet()) {
                buf.put(countedEntry(DELIVERIES, e.getKey(), e.getValue()));
            }
            buf.flip();
            ch.writeFully(buf, 0);
            ch.force(true);
        }
    }

    /**
     * Appends the entries written since the snapshot to the compacted file and renames it over the
     * cursor file, which is used from now on. Under the owner's monitor; {@link #syncDirectory()} then
     * makes the rename durable (until it is, a crash leaves the old, complete file).
     */
    void finishCompaction() throws IOException {
        List<ByteBuffer> tail = sinceSnapshot;
        sinceSnapshot = null;
        Path tmp = tmpFile();
        try (StorageFile ch = storage.open(tmp, Storage.OpenMode.EXISTING)) {
            long pos = ch.size();
            for (ByteBuffer b : tail) {
                ch.writeFully(b, pos);
                pos += b.limit();
            }
        }
        // Rename first: if that fails, the old file and channel stay in use.
        storage.move(tmp, file);
        StorageFile old = channel;
        StorageFile ch = storage.open(file, Storage.OpenMode.EXISTING);
        channel = ch;
        size = ch.size();
        dirty = true;
        if (old != null) {
            old.close();
        }
    }

    /** Gives up a compaction whose file could not be written; the cursor file stays as it was. */
    void abortCompaction() {
        sinceSnapshot = null;
    }

    /** Makes the cursor file's directory entry (after a compaction) durable. */
    void syncDirectory() throws IOException {
        storage.syncDirectory(file.getParent());
    }

    /** Compacts in one go (the owner holds its monitor throughout). */
    void compact(State state) throws IOException {
        beginCompaction();
        try {
            writeCompacted(state);
        } catch (IOException | RuntimeException e) {
            abortCompaction();
            throw e;
        }
        finishCompaction();
        syncDirectory();
    }

    private Path tmpFile() {
        return file.resolveSibling(file.getFileName() + ".tmp");
    }

    /** Forces the entries written so far. */
    void sync() throws IOException {
        if (dirty) {
            dirty = false;
            try {
                channel.force(false); // dirty only after a write, which leaves the file open
            } catch (IOException e) {
                dirty = true;
                throw e;
            }
        }
    }

    /**
     * One housekeeping pass, after its {@link #sync()}: closes the file if nothing was written for
     * {@value #IDLE_PASSES} passes and nothing written is unforced or being compacted.
     *
     * @return whether it closed the file now
     */
    boolean releaseIfIdle() throws IOException {
        StorageFile ch = channel;
        if (ch == null || dirty || sinceSnapshot != null || ++idlePasses < IDLE_PASSES) {
            return false;
        }
        channel = null;
        ch.close();
        return true;
    }

    /** Whether the file is open now. */
    boolean isOpen() {
        return channel != null;
    }

    @Override
    public void close() throws IOException {
        StorageFile ch = channel;
        try {
            sync();
        } finally {
            if (ch != null) {
                ch.close();
            }
        }
    }
}
