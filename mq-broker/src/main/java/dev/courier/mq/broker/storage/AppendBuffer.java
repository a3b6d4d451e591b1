package dev.courier.mq.broker.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The write buffer of a {@link TopicLog}'s appends: the records of one append are encoded (in
 * {@link RecordFormat}) into one direct buffer, reused across appends, and written to the active segment
 * in one call per segment they go to, with their offsets and positions for its index. Reuse means a write
 * neither allocates nor is copied into a temporary direct buffer by the channel; a buffer grown past
 * {@value #MAX_SCRATCH_BYTES} bytes for a large append is dropped after it.
 *
 * <p>The reused buffer belongs to the appending thread, not to the log: an append encodes and writes on
 * one thread, so the buffers kept grow with the threads that append (the I/O threads, the flushers), not
 * with the topics, of which there may be thousands.
 *
 * <p>Not thread-safe: the log uses it under its append lock, one append at a time
 * ({@link #begin}, {@link #add} and {@link #writeTo} as the records go, {@link #reset} at the end).
 */
final class AppendBuffer {

    /** The largest write buffer kept between appends. */
    static final int MAX_SCRATCH_BYTES = 8 << 20;

    /** Each appending thread's reused buffer. */
    private static final ThreadLocal<ByteBuffer> SCRATCH = new ThreadLocal<>();
    /** The records encoded and not yet written, or null. */
    private ByteBuffer buf;
    /** The offsets and buffer positions of the records encoded; one slot per record of the append. */
    private long[] offsets;

    private int[] positions;
    private int count;

    /** Starts an append of at most {@code records} records. */
    void begin(int records) {
        buf = null;
        count = 0;
        offsets = new long[records];
        positions = new int[records];
    }

    /** Bytes encoded and not yet written. */
    long pendingBytes() {
        return buf == null ? 0 : buf.position();
    }

    /**
     * Encodes {@code records.get(i)} at {@code offset}; {@code meta} and {@code headers} are its encoded meta
     * and headers and {@code size} its size in the log.
     */
    void add(List<AppendRecord> records, int i, long offset, long timestamp, byte[] meta, byte[] headers, int size) {
        if (buf == null) {
            buf = scratch(Math.max(size, estimate(records, i)));
        } else if (buf.remaining() < size) {
            ByteBuffer bigger = ByteBuffer.allocateDirect(Math.max(buf.capacity() * 2, buf.position() + size));
            buf.flip();
            bigger.put(buf);
            buf = bigger;
            if (bigger.capacity() <= MAX_SCRATCH_BYTES) {
                SCRATCH.set(bigger);
            }
        }
        AppendRecord r = records.get(i);
        offsets[count] = offset;
        positions[count] = buf.position();
        count++;
        RecordFormat.write(buf, offset, timestamp, r.producerId(), r.sequence(), meta, headers, r.payload());
    }

    /**
     * Writes what is encoded to {@code segment}; the next record starts a new batch.
     *
     * @return whether anything was written
     */
    boolean writeTo(Segment segment) throws IOException {
        ByteBuffer b = buf;
        int n = count;
        buf = null;
        count = 0;
        if (n == 0) {
            return false;
        }
        b.flip();
        segment.append(b, offsets, positions, n);
        b.clear();
        return true;
    }

    /** Ends an append: nothing of it stays referenced (the reused buffer excepted). */
    void reset() {
        buf = null;
        count = 0;
        offsets = null;
        positions = null;
    }

    /**
     * A cleared direct buffer of at least {@code capacity} bytes: the reused one if it is large enough.
     */
    /** The calling thread's reused buffer, or null; for tests. */
    static ByteBuffer threadScratch() {
        return SCRATCH.get();
    }

    private static ByteBuffer scratch(int capacity) {
        ByteBuffer scratch = SCRATCH.get();
        if (scratch == null || scratch.capacity() < capacity) {
            ByteBuffer b = ByteBuffer.allocateDirect(Math.max(capacity, 64 << 10));
            if (b.capacity() <= MAX_SCRATCH_BYTES) {
                SCRATCH.set(b);
            }
            return b;
        }
        return scratch.clear();
    }

    private static int estimate(List<AppendRecord> records, int from) {
        long total = 0;
        for (int i = from; i < records.size() && total < MAX_SCRATCH_BYTES; i++) {
            total += RecordFormat.HEADERS_OFFSET + 64 + records.get(i).payload().length;
        }
        return (int) Math.min(total, MAX_SCRATCH_BYTES);
    }
}
