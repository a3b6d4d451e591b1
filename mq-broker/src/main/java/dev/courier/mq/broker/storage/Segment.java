package dev.courier.mq.broker.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
 * The index is rebuilt by the validation scan every time the segment is opened, so it can never
 * disagree with the records.
 *
 * <p>Crash policy: {@link #open} validates every record; a torn tail (an incomplete or invalid last
 * record with nothing valid after it) is cut at the end of the last valid record; an invalid record
 * followed by a valid one is corruption and is reported, never cut.
 *
 * <p>Not thread-safe for writers: one appender at a time (the owning {@link TopicLog} serializes
 * them). Reads of bytes below {@link #size()} may run concurrently with an append.
 */
final class Segment implements AutoCloseable {

    static final String SUFFIX = ".log";

    private final long baseOffset;
    private final Path file;
    private final FileChannel channel;
    private final int indexIntervalBytes;
    private volatile long size;
    private long nextOffset;
    private long lastIndexedPosition = -1;
    private long[] indexOffsets = new long[16];
    private long[] indexPositions = new long[16];
    private volatile int indexCount;
    private final long createdMillis;

    private Segment(long baseOffset, Path file, FileChannel channel, int indexIntervalBytes) {
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

    static Segment create(Path dir, long baseOffset, int indexIntervalBytes) throws IOException {
        Path file = fileFor(dir, baseOffset);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        return new Segment(baseOffset, file, ch, indexIntervalBytes);
    }

    /** The outcome of validating a segment on open. */
    record Scan(Segment segment, long truncatedBytes, long corruptPosition, String problem) {
        boolean corrupt() {
            return corruptPosition >= 0;
        }
    }

    /**
     * Opens an existing segment and validates it: cuts a torn tail, or reports a corrupt middle record
     * (then the segment is returned unmodified and must not be written to).
     */
    static Scan open(Path file, long baseOffset, int indexIntervalBytes, RecordVisitor visitor) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        Segment s = new Segment(baseOffset, file, ch, indexIntervalBytes);
        try {
            long fileSize = ch.size();
            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            long bufStart = 0;
            buf.limit(0);
            long pos = 0;
            long corruptAt = -1;
            String problem = null;
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
                if (size < 0) {
                    long next = nextValidAfter(ch, pos, fileSize);
                    if (next >= 0) {
                        // Something valid follows: corruption in the middle, never cut.
                        if (corruptAt < 0) {
                            corruptAt = pos;
                            problem = problem(size) + " at position " + pos + " followed by a valid record at " + next;
                        }
                        pos = next;
                        continue;
                    }
                    if (corruptAt >= 0) {
                        break;
                    }
                    long cut = fileSize - pos;
                    ch.truncate(pos);
                    ch.force(true);
                    s.size = pos;
                    return new Scan(s, cut, -1, problem(size) + " at position " + pos);
                }
                long offset = buf.getLong(rel + RecordFormat.OFFSET_OFFSET);
                if (corruptAt < 0) {
                    s.indexIfDue(offset, pos);
                }
                s.nextOffset = Math.max(s.nextOffset, offset + 1);
                visitor.visit(offset, buf.getLong(rel + RecordFormat.PRODUCER_ID_OFFSET),
                        buf.getLong(rel + RecordFormat.SEQUENCE_OFFSET));
                pos += size;
            }
            s.size = pos;
            return new Scan(s, 0, corruptAt, problem);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Sees the identity of every valid record during the validation scan. */
    interface RecordVisitor {
        void visit(long offset, long producerId, long sequence);
    }

    private static String problem(int code) {
        return switch (code) {
            case RecordFormat.Check.INCOMPLETE -> "incomplete record";
            case RecordFormat.Check.BAD_LENGTH -> "record with an impossible length";
            default -> "record with a bad CRC";
        };
    }

    private static ByteBuffer refill(FileChannel ch, long pos, int capacity, ByteBuffer old) throws IOException {
        ByteBuffer buf = capacity > old.capacity() ? ByteBuffer.allocate(capacity) : old;
        buf.clear();
        while (buf.hasRemaining()) {
            if (ch.read(buf, pos + buf.position()) < 0) {
                break;
            }
        }
        buf.flip();
        return buf;
    }

    /** The position of a valid record right after the (complete-looking) bad record at pos, or -1. */
    private static long nextValidAfter(FileChannel ch, long pos, long fileSize) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(4);
        if (fileSize - pos < 4 || ch.read(head, pos) < 4) {
            return -1;
        }
        int length = head.getInt(0);
        if (length < RecordFormat.FIXED_BODY || length > RecordFormat.MAX_RECORD_SIZE) {
            return -1;
        }
        long next = pos + RecordFormat.PREFIX_SIZE + length;
        if (next + RecordFormat.PREFIX_SIZE > fileSize) {
            return -1;
        }
        head.clear();
        ch.read(head, next);
        int nextLength = head.getInt(0);
        if (nextLength < RecordFormat.FIXED_BODY || nextLength > RecordFormat.MAX_RECORD_SIZE
                || next + RecordFormat.PREFIX_SIZE + nextLength > fileSize) {
            return -1;
        }
        ByteBuffer rec = ByteBuffer.allocate(RecordFormat.PREFIX_SIZE + nextLength);
        while (rec.hasRemaining() && ch.read(rec, next + rec.position()) > 0) {
            // keep reading
        }
        rec.flip();
        return RecordFormat.check(rec) > 0 ? next : -1;
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
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(end - pos, Math.min(64 * 1024L, Math.max(4096L, maxBytes))));
        long bufStart = pos;
        buf.limit(0);
        while (pos < end && out.size() < maxCount) {
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
                while (buf.hasRemaining() && channel.read(buf, pos + buf.position()) > 0) {
                    // fill
                }
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

    FileChannel channel() {
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
