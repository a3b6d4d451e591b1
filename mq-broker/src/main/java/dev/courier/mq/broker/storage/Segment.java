package dev.courier.mq.broker.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One segment file of a topic log, named after its base offset ({@code %020d.log}), with its sparse
 * offset index held in memory.
 *
 * <p>The index maps an offset to the file position of its record for one record in every
 * {@code indexIntervalBytes} of the file:
 * <pre>
 *   entry i:  offset[i] (int64, absolute)  ->  position[i] (int64, byte position in the segment)
 *   offset[i] and position[i] strictly increase; entry 0 is the first record of the segment
 * </pre>
 * A lookup finds the last entry at or below the wanted offset and scans forward at most one interval.
 * The index is built by the validation scan when the segment is opened, and by appends. Once a segment
 * is sealed (a later one is appended to) and forced, {@link #storeIndex} writes it, with the segment's
 * size, next offset and damaged ranges, to {@code %020d.index} (a {@link ChecksummedFile}), and a
 * restart that the recovery checkpoint vouches for {@linkplain #restore restores} the segment from it
 * without reading the records; an index that is missing, damaged or disagrees with the file's size is
 * never used (the segment is then validated by a scan).
 *
 * <p>Crash policy: {@link #open} validates every record; a torn tail (an incomplete or invalid last
 * record with nothing valid after it) is cut at the end of the last valid record; an invalid record
 * followed by a valid one is corruption: it is reported, fenced off as a damaged range that reads skip,
 * and never cut, so every valid record before and after it stays readable.
 *
 * <p>Not thread-safe for writers: one appender at a time (the owning {@link TopicLog} serializes
 * them). Reads of bytes below {@link #size()} may run concurrently with an append.
 */
final class Segment implements AutoCloseable {

    static final String SUFFIX = ".log";
    static final String INDEX_SUFFIX = ".index";
    static final int INDEX_MAGIC = 0x43494458; // "CIDX"
    /** The largest index body restored: far more entries than a segment of the largest size holds. */
    private static final int MAX_INDEX_BODY = 256 << 20;

    private final long baseOffset;
    private final Path file;
    private final StorageFile channel;
    private final int indexIntervalBytes;
    private volatile long size;
    private long nextOffset;
    private long lastIndexedPosition = -1;
    private long[] indexOffsets = new long[16];
    private long[] indexPositions = new long[16];
    private volatile int indexCount;
    private final long createdMillis;
    /** Damaged byte ranges found on open, skipped by reads; never changes afterwards. */
    private List<long[]> damaged = List.of();
    /** Whether {@code %020d.index} holds this segment's index (stored once the segment is sealed and forced). */
    private volatile boolean indexStored;

    private Segment(long baseOffset, Path file, StorageFile channel, int indexIntervalBytes) {
        this.baseOffset = baseOffset;
        this.file = file;
        this.channel = channel;
        this.indexIntervalBytes = indexIntervalBytes;
        this.nextOffset = baseOffset;
        this.createdMillis = System.currentTimeMillis();
    }

    static Path fileFor(Path dir, long baseOffset) {
        return dir.resolve(String.format("%020d%s", baseOffset, SUFFIX));
    }

    static Path indexFileFor(Path dir, long baseOffset) {
        return dir.resolve(String.format("%020d%s", baseOffset, INDEX_SUFFIX));
    }

    static Segment create(Storage storage, Path dir, long baseOffset, int indexIntervalBytes) throws IOException {
        Path file = fileFor(dir, baseOffset);
        StorageFile ch = storage.open(file, Storage.OpenMode.CREATE_NEW);
        return new Segment(baseOffset, file, ch, indexIntervalBytes);
    }

    /**
     * The outcome of validating a segment on open.
     *
     * @param truncatedBytes bytes cut off a torn tail (0 if none)
     * @param damaged        byte ranges {@code [from, to)} holding no valid record but followed by valid
     *                       ones: corruption, fenced off and never cut
     * @param problem        what was wrong, for the log (null when all was clean)
     */
    record Scan(Segment segment, long truncatedBytes, List<long[]> damaged, String problem) {
        boolean corrupt() {
            return !damaged.isEmpty();
        }
    }

    /**
     * Opens an existing segment and validates it. An invalid record followed (anywhere later in the
     * file) by a valid one is corruption: its bytes up to that valid record are recorded as damaged
     * and skipped by reads, and nothing is cut. An invalid tail with nothing valid after it is a torn
     * write and is cut off.
     */
    static Scan open(Storage storage, Path file, long baseOffset, int indexIntervalBytes, RecordVisitor visitor)
            throws IOException {
        StorageFile ch = storage.open(file, Storage.OpenMode.EXISTING);
        Segment s = new Segment(baseOffset, file, ch, indexIntervalBytes);
        try {
            long fileSize = ch.size();
            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            long bufStart = 0;
            buf.limit(0);
            long pos = 0;
            long lastOffset = baseOffset - 1;
            List<long[]> damaged = new ArrayList<>();
            StringBuilder problem = new StringBuilder();
            while (pos < fileSize) {
                long bufEnd = bufStart + buf.limit();
                if (pos < bufStart || (pos + RecordFormat.PREFIX_SIZE > bufEnd && bufEnd < fileSize)) {
                    buf = refill(ch, pos, buf.capacity(), buf);
                    bufStart = pos;
                    continue;
                }
                int rel = (int) (pos - bufStart);
                buf.position(rel);
                int size = RecordFormat.check(buf);
                if (size == RecordFormat.Check.INCOMPLETE && bufEnd < fileSize) {
                    int need = RecordFormat.PREFIX_SIZE + buf.getInt(rel);
                    buf = refill(ch, pos, Math.max(buf.capacity(), need), buf);
                    bufStart = pos;
                    continue;
                }
                if (size > 0 && buf.getLong(rel + RecordFormat.OFFSET_OFFSET) <= lastOffset) {
                    size = RecordFormat.Check.BAD_CRC; // a valid-looking record out of order is not ours to serve
                }
                if (size < 0) {
                    long next = nextValidAfter(ch, pos, fileSize, lastOffset);
                    if (next >= 0) {
                        damaged.add(new long[] {pos, next});
                        problem.append(problem.length() == 0 ? "" : "; ")
                                .append(problem(size))
                                .append(" at position ")
                                .append(pos)
                                .append(", ")
                                .append(next - pos)
                                .append(" damaged bytes before a valid record at ")
                                .append(next);
                        pos = next;
                        continue;
                    }
                    long cut = fileSize - pos;
                    ch.truncate(pos);
                    ch.force(true);
                    s.size = pos;
                    s.damaged = damaged;
                    problem.append(problem.length() == 0 ? "" : "; ")
                            .append("torn tail: ")
                            .append(problem(size))
                            .append(" at position ")
                            .append(pos);
                    return new Scan(s, cut, damaged, problem.toString());
                }
                long offset = buf.getLong(rel + RecordFormat.OFFSET_OFFSET);
                s.indexIfDue(offset, pos);
                s.nextOffset = offset + 1;
                lastOffset = offset;
                visitor.visit(
                        offset,
                        buf.getLong(rel + RecordFormat.PRODUCER_ID_OFFSET),
                        buf.getLong(rel + RecordFormat.SEQUENCE_OFFSET),
                        buf.getLong(rel + RecordFormat.TIMESTAMP_OFFSET));
                pos += size;
            }
            s.size = pos;
            s.damaged = damaged;
            return new Scan(s, 0, damaged, problem.length() == 0 ? null : problem.toString());
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * Opens an existing segment from its stored index, reading none of its records: the recovery
     * checkpoint vouched for it (it was sealed and forced before its index was stored).
     *
     * @throws ChecksummedFile.CorruptException if the index is missing, damaged, of another segment, or
     *     disagrees with the file's size: the caller then validates the segment by a scan
     */
    static Segment restore(Storage storage, Path file, long baseOffset, int indexIntervalBytes) throws IOException {
        Path indexFile = indexFileFor(file.getParent(), baseOffset);
        ByteBuffer body = ChecksummedFile.read(storage, indexFile, INDEX_MAGIC, MAX_INDEX_BODY);
        if (body == null) {
            throw new ChecksummedFile.CorruptException(indexFile + " is missing");
        }
        StorageFile ch = storage.open(file, Storage.OpenMode.EXISTING);
        Segment s = new Segment(baseOffset, file, ch, indexIntervalBytes);
        try {
            long base = body.getLong();
            long size = body.getLong();
            long next = body.getLong();
            if (base != baseOffset || size < 0 || next < baseOffset || size != ch.size()) {
                throw new ChecksummedFile.CorruptException(
                        indexFile + " describes segment " + base + " of " + size + " bytes; the file has " + ch.size());
            }
            int ranges = ChecksummedFile.count(body, 2 * Long.BYTES, "damaged ranges");
            List<long[]> damaged = new ArrayList<>(ranges);
            for (int i = 0; i < ranges; i++) {
                long from = body.getLong();
                long to = body.getLong();
                if (from < 0 || to <= from || to > size) {
                    throw new ChecksummedFile.CorruptException(indexFile + ": damaged range " + i + " out of bounds");
                }
                damaged.add(new long[] {from, to});
            }
            int entries = ChecksummedFile.count(body, 2 * Long.BYTES, "index entries");
            s.indexOffsets = new long[Math.max(16, entries)];
            s.indexPositions = new long[Math.max(16, entries)];
            long lastOffset = baseOffset - 1;
            long lastPosition = -1;
            for (int i = 0; i < entries; i++) {
                long offset = body.getLong();
                long position = body.getLong();
                if (offset <= lastOffset || offset >= next || position <= lastPosition || position >= size) {
                    throw new ChecksummedFile.CorruptException(indexFile + ": entry " + i + " out of order");
                }
                s.indexOffsets[i] = offset;
                s.indexPositions[i] = position;
                lastOffset = offset;
                lastPosition = position;
            }
            if (body.hasRemaining()) {
                throw new ChecksummedFile.CorruptException(
                        indexFile + ": " + body.remaining() + " bytes after the end");
            }
            s.indexCount = entries;
            s.lastIndexedPosition = lastPosition;
            s.size = size;
            s.nextOffset = next;
            s.damaged = damaged;
            s.indexStored = true;
            return s;
        } catch (java.nio.BufferUnderflowException e) {
            ch.close();
            throw new ChecksummedFile.CorruptException(indexFile + ": truncated");
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * Writes this segment's index, size, next offset and damaged ranges to its index file, durably
     * (directory synced). Only for a sealed segment whose records are forced: nothing may append to
     * it any more. Called by one thread at a time (the log's checkpoint).
     */
    void storeIndex(Storage storage) throws IOException {
        int n = indexCount;
        ByteBuffer body =
                ByteBuffer.allocate(3 * Long.BYTES + 2 * Integer.BYTES + (damaged.size() + n) * 2 * Long.BYTES);
        body.putLong(baseOffset).putLong(size).putLong(nextOffset);
        body.putInt(damaged.size());
        for (long[] d : damaged) {
            body.putLong(d[0]).putLong(d[1]);
        }
        body.putInt(n);
        for (int i = 0; i < n; i++) {
            body.putLong(indexOffsets[i]).putLong(indexPositions[i]);
        }
        body.flip();
        ChecksummedFile.write(storage, indexFileFor(file.getParent(), baseOffset), INDEX_MAGIC, body);
        indexStored = true;
    }

    /** This segment is appended to again (it is the active one): its index is to be stored again once it is sealed. */
    void appendable() {
        indexStored = false;
    }

    /** Whether this segment's index file is stored (see {@link #storeIndex}). */
    boolean indexStored() {
        return indexStored;
    }

    /** Sees the identity of every valid record during the validation scan. */
    interface RecordVisitor {
        void visit(long offset, long producerId, long sequence, long timestamp);
    }

    private static String problem(int code) {
        return switch (code) {
            case RecordFormat.Check.INCOMPLETE -> "incomplete record";
            case RecordFormat.Check.BAD_LENGTH -> "record with an impossible length";
            default -> "record with a bad CRC";
        };
    }

    private static ByteBuffer refill(StorageFile ch, long pos, int capacity, ByteBuffer old) throws IOException {
        ByteBuffer buf = capacity > old.capacity() ? ByteBuffer.allocate(capacity) : old;
        buf.clear();
        ch.readFully(buf, pos);
        buf.flip();
        return buf;
    }

    /**
     * The position of the first valid record after the invalid one at {@code damagedFrom}, searched byte
     * by byte (the damaged length field cannot be trusted), or -1 if none follows. A candidate must hold
     * an offset above {@code lastOffset} and no further above it than the records that could fit in
     * between, so bytes of a payload that look like a record are not taken for one.
     */
    static long nextValidAfter(StorageFile ch, long damagedFrom, long fileSize, long lastOffset) throws IOException {
        ByteBuffer win = ByteBuffer.allocate(1 << 20);
        long winStart = -1;
        for (long c = damagedFrom + 1; c + RecordFormat.HEADERS_OFFSET <= fileSize; c++) {
            if (winStart < 0 || c + RecordFormat.HEADERS_OFFSET > winStart + win.limit()) {
                win.clear();
                ch.readFully(win, c);
                win.flip();
                winStart = c;
            }
            int rel = (int) (c - winStart);
            int length = win.getInt(rel + RecordFormat.LENGTH_OFFSET);
            if (length < RecordFormat.FIXED_BODY
                    || length > RecordFormat.MAX_RECORD_SIZE
                    || c + RecordFormat.PREFIX_SIZE + length > fileSize) {
                continue;
            }
            long offset = win.getLong(rel + RecordFormat.OFFSET_OFFSET);
            long mostSkipped = (c - damagedFrom) / RecordFormat.HEADERS_OFFSET + 1;
            if (offset <= lastOffset || offset - lastOffset > mostSkipped) {
                continue;
            }
            ByteBuffer rec;
            if (c + RecordFormat.PREFIX_SIZE + length <= winStart + win.limit()) {
                rec = win.duplicate();
                rec.position(rel);
            } else {
                rec = ByteBuffer.allocate(RecordFormat.PREFIX_SIZE + length);
                ch.readFully(rec, c);
                rec.flip();
            }
            if (RecordFormat.check(rec) > 0) {
                return c;
            }
        }
        return -1;
    }

    /** The end of the damaged range that {@code position} lies in, or -1 if it lies in none. */
    private long damagedUntil(long position) {
        for (long[] d : damaged) {
            if (position >= d[0] && position < d[1]) {
                return d[1];
            }
        }
        return -1;
    }

    /** Whether validation found damaged ranges in this segment (it is then never appended to). */
    boolean damaged() {
        return !damaged.isEmpty();
    }

    private void indexIfDue(long offset, long position) {
        if (lastIndexedPosition >= 0 && position - lastIndexedPosition < indexIntervalBytes) {
            return;
        }
        int n = indexCount;
        if (n == indexOffsets.length) {
            indexOffsets = Arrays.copyOf(indexOffsets, n * 2);
            indexPositions = Arrays.copyOf(indexPositions, n * 2);
        }
        indexOffsets[n] = offset;
        indexPositions[n] = position;
        lastIndexedPosition = position;
        indexCount = n + 1;
    }

    /**
     * Appends encoded records (their offsets and in-buffer positions given) at the end of the file.
     * The caller is the only writer.
     */
    void append(ByteBuffer records, long[] offsets, int[] positions, int count) throws IOException {
        long start = size;
        long pos = start;
        while (records.hasRemaining()) {
            pos += channel.write(records, pos);
        }
        for (int i = 0; i < count; i++) {
            indexIfDue(offsets[i], start + positions[i]);
        }
        nextOffset = offsets[count - 1] + 1;
        size = pos;
    }

    /**
     * Cuts the segment back to {@code newSize} bytes, whose last record is followed by
     * {@code nextOffset}: takes back appends that could not be completed. The caller is the only writer.
     */
    void truncateTo(long newSize, long nextOffset) throws IOException {
        channel.truncate(newSize);
        int n = indexCount;
        while (n > 0 && indexPositions[n - 1] >= newSize) {
            n--;
        }
        indexCount = n;
        lastIndexedPosition = n == 0 ? -1 : indexPositions[n - 1];
        this.nextOffset = nextOffset;
        size = newSize;
    }

    /** The position of the record with the greatest offset at or below {@code offset}, per the index. */
    long lookup(long offset) {
        int n = indexCount;
        long[] offs = indexOffsets;
        long[] poss = indexPositions;
        int lo = 0;
        int hi = n - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (offs[mid] <= offset) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found < 0 ? 0 : poss[found];
    }

    /**
     * Reads records with offsets in {@code [from, toExclusive)}, at most {@code maxCount} of them and
     * stopping after {@code maxBytes} (at least one record is returned when one qualifies).
     */
    List<StoredRecord> read(long from, long toExclusive, int maxCount, int maxBytes) throws IOException {
        List<StoredRecord> out = new ArrayList<>();
        long pos = lookup(from);
        long end = size;
        int budget = maxBytes;
        // start small (a tailing consumer reads a record or two) and grow only for large records
        ByteBuffer buf =
                ByteBuffer.allocate((int) Math.min(end - pos, Math.min(64 * 1024L, Math.max(4096L, maxBytes))));
        long bufStart = pos;
        buf.limit(0);
        while (pos < end && out.size() < maxCount) {
            long fenced = damagedUntil(pos);
            if (fenced >= 0) {
                pos = fenced;
                buf.limit(0);
                bufStart = pos;
                continue;
            }
            int rel = (int) (pos - bufStart);
            buf.position(rel);
            int recSize = RecordFormat.check(buf);
            if (recSize == RecordFormat.Check.INCOMPLETE) {
                int need = RecordFormat.PREFIX_SIZE;
                if (buf.remaining() >= RecordFormat.PREFIX_SIZE) {
                    need = RecordFormat.PREFIX_SIZE + buf.getInt(rel);
                }
                int capacity = (int) Math.min(end - pos, Math.max(buf.capacity(), need));
                buf = capacity > buf.capacity() ? ByteBuffer.allocate(capacity) : buf;
                buf.clear().limit(capacity);
                channel.readFully(buf, pos);
                buf.flip();
                bufStart = pos;
                if (buf.remaining() < need) {
                    break;
                }
                continue;
            }
            if (recSize < 0) {
                throw new IOException("Invalid record at position " + pos + " of " + file);
            }
            long offset = buf.getLong(rel + RecordFormat.OFFSET_OFFSET);
            if (offset >= toExclusive) {
                break;
            }
            if (offset >= from) {
                if (!out.isEmpty() && budget - recSize < 0) {
                    break;
                }
                out.add(RecordFormat.read(buf));
                budget -= recSize;
            }
            pos += recSize;
        }
        return out;
    }

    void force() throws IOException {
        channel.force(false);
    }

    StorageFile channel() {
        return channel;
    }

    long baseOffset() {
        return baseOffset;
    }

    /** The offset the next appended record would get (one past the last record here). */
    long nextOffset() {
        return nextOffset;
    }

    long size() {
        return size;
    }

    Path file() {
        return file;
    }

    long createdMillis() {
        return createdMillis;
    }

    int indexEntries() {
        return indexCount;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
