package dev.courier.mq.broker.internal;

import dev.courier.mq.broker.storage.Storage;
import dev.courier.mq.broker.storage.StorageFile;
import dev.courier.mq.broker.storage.TopicLog;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Map;
import java.util.TreeMap;

/**
 * The schedule of a topic's delayed messages. A delayed message is stored in the topic's log at once, as an
 * <i>original</i> with its due time ({@code deliverAt}), which subscriptions pass over; when it is due, a
 * <i>copy</i> without a due time, naming the original in its {@value #FROM} header, is appended to the log, and
 * subscriptions deliver that.
 *
 * <p><b>Memory.</b> Only the messages due within the next {@value #WINDOW_MILLIS} ms are in memory, in a binary
 * heap of two {@code long} arrays (16 bytes a message, no object per message); later ones are spilled to one
 * file per {@value #BUCKET_MILLIS} ms of due times ({@code delayed/BUCKET.due}, 16 bytes an entry), read into
 * the heap as the window reaches them.
 *
 * <p><b>Restarts.</b> The bucket files are not the record: on open, the log is scanned from the checkpoint
 * ({@code delayed/checkpoint}: no original below it is still unmoved), every original without a copy after it
 * is scheduled again and the buckets are written anew. So a copy is appended once however the broker stops:
 * an original whose copy reached the log before a crash is known by that copy. The checkpoint is written when
 * the first delayed message of the topic is scheduled (before its publisher's acknowledgement) and moved on by
 * housekeeping.
 *
 * <p>Thread-safe: its methods synchronize on it; the log is read outside the monitor.
 */
final class DelayQueue implements HeldMessages {

    /** The header of a copy: the offset of its original. */
    static final String FROM = "courier.delayed.from";

    static final long WINDOW_MILLIS = 60_000;
    static final long BUCKET_MILLIS = 60_000;
    static final String DIR = "delayed";
    private static final String BUCKET_SUFFIX = ".due";
    /** How long a move that failed waits before it is tried again. */
    static final long RETRY_MILLIS = 1_000;

    private final Storage storage;
    private final Path dir;

    // the window: a min-heap ordered by due time, then offset
    private long[] dueAt = new long[64];
    private long[] offsets = new long[64];
    private int size;
    /** Messages due at or after this are in bucket files; a multiple of {@link #BUCKET_MILLIS}. */
    private long windowEnd;
    /** Spilled buckets, by start time: {entries, lowest offset}. */
    private final TreeMap<Long, long[]> buckets = new TreeMap<>();
    /** Offsets taken to be moved whose copies are not yet durable, with how many of each (one). */
    private final TreeMap<Long, Long> moving = new TreeMap<>();

    private final OffsetCheckpoint checkpoint;

    private DelayQueue(Storage storage, Path topicDir, long now) {
        this.storage = storage;
        this.dir = topicDir.resolve(DIR);
        this.windowEnd = alignUp(now + WINDOW_MILLIS);
        this.checkpoint = new OffsetCheckpoint(storage, dir);
    }

    private static long alignUp(long t) {
        return Math.floorDiv(t + BUCKET_MILLIS - 1, BUCKET_MILLIS) * BUCKET_MILLIS;
    }

    /** Whether the topic in {@code topicDir} has a schedule to recover. */
    static boolean exists(Storage storage, Path topicDir) {
        return OffsetCheckpoint.exists(storage, topicDir.resolve(DIR));
    }

    /** A new schedule, in memory only until {@link #create} stores it. */
    static DelayQueue inMemory(Storage storage, Path topicDir, long now) {
        return new DelayQueue(storage, topicDir, now);
    }

    /**
     * Stores the new schedule, whose first delayed message is at or after {@code firstOffset}: writes and forces
     * the checkpoint, before that message may be acknowledged. Blocks on disk I/O.
     */
    @Override
    public void create(long firstOffset) throws IOException {
        checkpoint.moveTo(firstOffset);
    }

    /**
     * The schedule of a topic that had one: scans {@code log} from the checkpoint and schedules every original
     * that has no copy yet. Blocks on disk I/O (the broker's start).
     */
    static DelayQueue recover(Storage storage, Path topicDir, TopicLog log, long now) throws IOException {
        DelayQueue q = new DelayQueue(storage, topicDir, now);
        for (String f : storage.list(q.dir)) {
            if (f.endsWith(BUCKET_SUFFIX) || f.endsWith(".tmp")) {
                storage.deleteIfExists(q.dir.resolve(f)); // written anew from the log below
            }
        }
        long from = Math.max(q.checkpoint.read(), log.startOffset());
        BitSet copied = new BitSet();
        long[][] found = {new long[16], new long[16]}; // originals' offsets and due times, grown as found
        int[] count = {0};
        HeldMessages.scan(log, from, r -> {
            if (r.meta().deliverAt() != 0) {
                int n = count[0]++;
                if (n == found[0].length) {
                    found[0] = java.util.Arrays.copyOf(found[0], n * 2);
                    found[1] = java.util.Arrays.copyOf(found[1], n * 2);
                }
                found[0][n] = r.offset();
                found[1][n] = r.meta().deliverAt();
            }
            String origin = r.headers().get(FROM);
            if (origin != null) {
                try {
                    long o = Long.parseLong(origin);
                    if (o >= from && o - from < Integer.MAX_VALUE) {
                        copied.set((int) (o - from));
                    }
                } catch (NumberFormatException e) {
                    // not a copy this broker wrote
                }
            }
        });
        long[] originals = found[0];
        long[] due = found[1];
        int n = count[0];
        synchronized (q) {
            for (int i = 0; i < n; i++) {
                if (!copied.get((int) (originals[i] - from))) {
                    q.schedule(originals[i], due[i]);
                }
            }
        }
        return q;
    }

    /** Schedules the original at {@code offset} for {@code deliverAt}. */
    synchronized void schedule(long offset, long deliverAt) throws IOException {
        if (deliverAt < windowEnd) {
            push(deliverAt, offset);
            return;
        }
        long bucket = Math.floorDiv(deliverAt, BUCKET_MILLIS) * BUCKET_MILLIS;
        Path file = dir.resolve(bucket + BUCKET_SUFFIX);
        long[] b = buckets.get(bucket);
        try (StorageFile f =
                storage.open(file, b == null ? Storage.OpenMode.CREATE_OR_TRUNCATE : Storage.OpenMode.EXISTING)) {
            long at = b == null ? 0 : b[0] * 16;
            f.writeFully(
                    ByteBuffer.allocate(16).putLong(offset).putLong(deliverAt).flip(), at);
        }
        if (b == null) {
            buckets.put(bucket, new long[] {1, offset});
        } else {
            b[0]++;
            b[1] = Math.min(b[1], offset);
        }
    }

    /**
     * Takes up to {@code max} originals due at {@code now} (their offsets, in due order) to be moved: each is
     * then {@linkplain #moved moved} or {@linkplain #failed failed}. Reads the buckets the window reaches.
     */
    synchronized long[] takeDue(long now, int max) throws IOException {
        if (windowEnd <= now + WINDOW_MILLIS) {
            long newEnd = alignUp(now + WINDOW_MILLIS + 1);
            for (Map.Entry<Long, long[]> e : new TreeMap<>(buckets.headMap(newEnd)).entrySet()) {
                load(e.getKey(), e.getValue());
            }
            windowEnd = newEnd;
        }
        int n = 0;
        long[] out = new long[Math.min(max, size)];
        while (n < out.length && size > 0 && dueAt[0] <= now) {
            out[n] = offsets[0];
            moving.merge(offsets[0], 1L, Long::sum);
            n++;
            pop();
        }
        return n == out.length ? out : java.util.Arrays.copyOf(out, n);
    }

    private void load(long bucket, long[] info) throws IOException {
        Path file = dir.resolve(bucket + BUCKET_SUFFIX);
        int entries = (int) info[0];
        ByteBuffer b = ByteBuffer.allocate(entries * 16);
        try (StorageFile f = storage.open(file, Storage.OpenMode.EXISTING)) {
            f.readFully(b, 0);
        }
        b.flip();
        while (b.remaining() >= 16) {
            long offset = b.getLong();
            push(b.getLong(), offset);
        }
        buckets.remove(bucket);
        storage.deleteIfExists(file);
    }

    /** The copies of {@code taken} are durable. */
    synchronized void moved(long[] taken) {
        for (long o : taken) {
            moving.remove(o);
        }
    }

    /** Moving {@code taken} failed: they are due again after {@link #RETRY_MILLIS}, keeping their order. */
    synchronized void failed(long[] taken, long now) {
        for (int i = 0; i < taken.length; i++) {
            moving.remove(taken[i]);
            push(now + RETRY_MILLIS + i, taken[i]);
        }
    }

    /** An original removed by retention before it was due: forgotten. */
    synchronized void lost(long offset) {
        moving.remove(offset);
    }

    /** Messages in memory: due within the window. */
    synchronized int windowSize() {
        return size;
    }

    /** Messages scheduled and not yet moved. */
    synchronized long scheduled() {
        long n = size + moving.size();
        for (long[] b : buckets.values()) {
            n += b[0];
        }
        return n;
    }

    /**
     * Whether {@link #takeDue} has something to do at {@code now}: a message due, or a bucket the window
     * reaches. Moves the window over the time without buckets.
     */
    synchronized boolean hasWork(long now) {
        if (size > 0 && dueAt[0] <= now) {
            return true;
        }
        if (windowEnd <= now + WINDOW_MILLIS) {
            long newEnd = alignUp(now + WINDOW_MILLIS + 1);
            if (!buckets.headMap(newEnd).isEmpty()) {
                return true;
            }
            windowEnd = newEnd;
        }
        return false;
    }

    /**
     * The lowest offset that may hold an original not yet moved: the window's, the buckets' and those being
     * moved, or {@code end} when there is none.
     */
    @Override
    public synchronized long lowestHeld(long end) {
        long min = end;
        for (int i = 0; i < size; i++) {
            min = Math.min(min, offsets[i]);
        }
        for (long[] b : buckets.values()) {
            min = Math.min(min, b[1]);
        }
        if (!moving.isEmpty()) {
            min = Math.min(min, moving.firstKey());
        }
        return min;
    }

    /** Moves the checkpoint to {@code lowest} if it changed (housekeeping; blocks on disk I/O). */
    @Override
    public void checkpoint(long lowest) throws IOException {
        checkpoint.moveTo(lowest);
    }

    // the heap

    private void push(long due, long offset) {
        if (size == dueAt.length) {
            dueAt = java.util.Arrays.copyOf(dueAt, size * 2);
            offsets = java.util.Arrays.copyOf(offsets, size * 2);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!less(due, offset, dueAt[parent], offsets[parent])) {
                break;
            }
            dueAt[i] = dueAt[parent];
            offsets[i] = offsets[parent];
            i = parent;
        }
        dueAt[i] = due;
        offsets[i] = offset;
    }

    private void pop() {
        long due = dueAt[--size];
        long offset = offsets[size];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && less(dueAt[child + 1], offsets[child + 1], dueAt[child], offsets[child])) {
                child++;
            }
            if (!less(dueAt[child], offsets[child], due, offset)) {
                break;
            }
            dueAt[i] = dueAt[child];
            offsets[i] = offsets[child];
            i = child;
        }
        if (size > 0) {
            dueAt[i] = due;
            offsets[i] = offset;
        }
    }

    private static boolean less(long dueA, long offsetA, long dueB, long offsetB) {
        return dueA != dueB ? dueA < dueB : offsetA < offsetB;
    }
}
