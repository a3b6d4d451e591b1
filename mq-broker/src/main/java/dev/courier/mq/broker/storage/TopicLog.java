package dev.courier.mq.broker.storage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The append-only log of one topic: a directory of {@link Segment segment files} (layout in
 * {@link RecordFormat}), one appender at a time, and, under {@link FsyncPolicy#GROUP}, a flusher thread
 * that forces the file as soon as its previous force returned.
 *
 * <p><b>Durability.</b> {@link #append} returns the offsets at once and a future that completes only
 * once every record of the call is durable under the policy. Readers never see a record at or past
 * {@link #durableOffset()}. If a write or a force fails, the log {@linkplain #failure() fails}: every
 * pending and later append completes exceptionally with {@link StorageException}; nothing is
 * acknowledged after a failed force.
 *
 * <p><b>Full disk.</b> A write that fails for want of space ({@link StorageFullException}) is undone:
 * the segments are cut back to where the append started (a segment it rolled to is deleted), its
 * offsets are given out again and nothing of it is acknowledged. The log does not fail: the next
 * append tries again, so the topic resumes by itself once there is space.
 *
 * <p><b>Recovery</b> ({@link LogLoader}). {@link #open} validates the segments it must: a torn tail
 * (nothing valid after the first invalid byte) is cut at the end of the last valid record; an invalid
 * record followed by valid ones is corruption: the damaged bytes are fenced off, every valid record
 * before and after them stays readable, the segment is no longer appended to, and the offsets the
 * damage took are {@linkplain #missingOffsets() reported as missing} (and in {@link #recoveryReport()}).
 *
 * <p><b>Checkpoint.</b> A restart does not read the whole log again: after a roll, {@link #checkpoint}
 * (the broker's housekeeping pass, and {@link #close}) forces each sealed segment once, stores its
 * index ({@link Segment#storeIndex}) and then writes a {@link RecoveryCheckpoint}: the base offset of
 * the segment rolled to, with the producer table as it stood there (snapshotted at the roll, under the
 * append lock). {@link #open} restores the segments below that point from their indexes and scans only
 * the rest, at most the segments written since the last checkpoint. Each step is durable before the
 * next (temporary file, force, rename, directory sync), so a power loss anywhere leaves the old
 * checkpoint or the new one, and anything a checkpoint relies on that is missing or damaged makes the
 * restart validate every segment instead (reported). A segment below the recovery point is trusted:
 * its records are checked by their CRC when read, not on open.
 *
 * <p><b>Directories.</b> Creating the log's directory and a segment (on open and on every roll) need a
 * sync of the directory holding the new entry before records in it are acknowledged: it is done by
 * whoever forces next (the flusher, or the appender with {@code fsync=always}; with {@code never}, on
 * close), never by the appending thread, which may be an I/O thread. Deleting a segment (retention) is
 * followed by a sync at once. A failed sync fails the log or the operation. All file I/O goes through
 * the {@link Storage} seam.
 *
 * <p><b>Jobs.</b> {@link LogLoader} recovers the directory on open; a {@link Durability} per fsync
 * policy keeps what is not forced yet and the durable offset ({@link GroupFlusher} owns the flusher
 * thread of {@code group}); {@link Retention} deletes old segments; an {@link AppendBuffer} encodes
 * and writes the records of an append; this class assigns offsets, deduplicates, rolls, reads and closes.
 *
 * <p><b>Locking.</b> One append lock guards the active segment, the producer table, and the
 * durability's dirty segments, pending directory syncs and waiters; reads take no lock. Futures are
 * completed after the lock is released, never under it.
 *
 * <p>This class is thread-safe. It owns its files and, through its durability, the flusher thread;
 * {@link #close()} forces what was written, stops the flusher and closes the files, and is idempotent.
 */
public final class TopicLog implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TopicLog.class);

    private final String name;
    private final Path dir;
    private final LogConfig config;
    private final Storage storage;
    private final List<long[]> missing;
    private final NavigableMap<Long, Segment> segments = new ConcurrentSkipListMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    /** What is not forced yet, the durable offset and the waiting appends, per fsync policy; under the lock. */
    private final Durability durability;
    /** Deletes old segments; see {@link #applyRetention}. */
    private final Retention retention;

    private final ProducerTable producers;
    /** Encodes the records of an append and writes them to the active segment; guarded by the append lock. */
    private final AppendBuffer buffer = new AppendBuffer();

    private final List<Runnable> durableListeners = new CopyOnWriteArrayList<>();
    private final List<String> recoveryReport;
    private final int scannedOnOpen;
    /** The checkpoint the last roll made possible, not written yet; under the append lock. */
    private RecoveryCheckpoint pendingCheckpoint;
    /** Serializes checkpoint writers (housekeeping and close); taken before the append lock, never under it. */
    private final ReentrantLock checkpointLock = new ReentrantLock();

    private Segment active;
    private long nextOffset;
    private volatile Throwable failure;
    private volatile boolean closed;

    /** The outcome of an append: each record's offset (a duplicate gets its original's) and durability. */
    public record Appended(long[] offsets, boolean[] duplicates, CompletableFuture<Void> durable) {}

    private TopicLog(
            String name,
            Path dir,
            LogConfig config,
            Storage storage,
            LogLoader.Loaded loaded,
            ProducerTable producers) {
        this.producers = producers;
        this.name = name;
        this.dir = dir;
        this.config = config;
        this.storage = storage;
        this.recoveryReport = List.copyOf(loaded.report());
        this.scannedOnOpen = loaded.scanned();
        this.missing = List.copyOf(loaded.missing());
        this.durability = Durability.of(name, config, storage, loaded.nextOffset(), lock, new FlusherLog());
        this.retention =
                new Retention(name, dir, config, storage, segments, durability::durableOffset, this::deletable);
    }

    /** What the group flusher sees of this log. */
    private final class FlusherLog implements GroupFlusher.Log {
        @Override
        public long end() {
            return nextOffset;
        }

        @Override
        public boolean retains(Segment segment) {
            return segments.get(segment.baseOffset()) == segment;
        }

        @Override
        public void failed(Throwable cause) {
            List<Durability.Waiter> dropped;
            lock.lock();
            try {
                dropped = fail(cause);
            } finally {
                lock.unlock();
            }
            completeFailed(dropped, cause);
        }

        @Override
        public void durableAdvanced() {
            notifyDurable();
        }
    }

    /**
     * Opens (creating if needed) the log in {@code dir} on the real file system; see {@link #open(String, Path,
     * LogConfig, Storage)}.
     */
    public static TopicLog open(String name, Path dir, LogConfig config) throws IOException {
        return open(name, dir, config, Storage.files());
    }

    /** Opens (creating if needed) the log in {@code dir}, validating and repairing it as described above. */
    public static TopicLog open(String name, Path dir, LogConfig config, Storage storage) throws IOException {
        Objects.requireNonNull(storage, "storage");
        List<Path> toSync = storage.createDirectoriesToSync(dir);
        ProducerTable producers = new ProducerTable(config.producerIdleMillis());
        LogLoader.Loaded loaded = LogLoader.load(name, storage, dir, config, producers);
        TopicLog tl = new TopicLog(name, dir, config, storage, loaded, producers);
        toSync.forEach(tl.durability::created);
        try {
            for (Segment s : loaded.segments()) {
                tl.segments.put(s.baseOffset(), s);
            }
            long next = loaded.nextOffset();
            Map.Entry<Long, Segment> last = tl.segments.lastEntry();
            if (last != null
                    && last.getValue().nextOffset() >= next
                    && !last.getValue().damaged()) {
                tl.active = last.getValue();
                tl.active.appendable(); // a restored segment grows again: its stored index is outdated
            } else {
                tl.active = Segment.create(storage, dir, next, config.indexIntervalBytes());
                tl.segments.put(next, tl.active);
                tl.durability.created(dir);
                if (loaded.scanned() > 0) {
                    tl.pendingCheckpoint = tl.checkpointAt(next); // the producer table holds exactly what lies below
                }
            }
            tl.nextOffset = next;
        } catch (IOException | RuntimeException e) {
            tl.closeSegments();
            throw e;
        }
        tl.durability.start();
        return tl;
    }

    /**
     * Appends records, assigning offsets. A record whose producer id and sequence were appended before
     * is not written again: it gets its original offset and is marked a duplicate. The returned future
     * completes when every record (and every duplicate's original) is durable.
     *
     * @throws StorageException if the log failed or is closed
     * @throws IllegalArgumentException if a record's key or headers cannot be stored (nothing is appended)
     */
    public Appended append(List<AppendRecord> records) {
        int n = records.size();
        // Encoded before the lock: a record that cannot be stored refuses the batch before anything changes.
        byte[][] metas = new byte[n][];
        byte[][] encodedHeaders = new byte[n][];
        for (int i = 0; i < n; i++) {
            metas[i] = RecordFormat.encodeMeta(records.get(i).meta());
            encodedHeaders[i] = RecordFormat.encodeHeaders(records.get(i).headers());
        }
        long[] offsets = new long[n];
        boolean[] duplicates = new boolean[n];
        CompletableFuture<Void> durable = new CompletableFuture<>();
        boolean advanced = false;
        boolean completeNow = false;
        StorageException failed = null;
        lock.lock();
        Segment startActive = active;
        long startSize = active == null ? 0 : active.size();
        long startNext = nextOffset;
        RecoveryCheckpoint startCheckpoint = pendingCheckpoint;
        long rolledTo = -1;
        try {
            ensureWritable();
            checkSequences(records);
            long waitFor = 0;
            long now = System.currentTimeMillis();
            long stamp = config.clock().getAsLong();
            buffer.begin(n);
            long lastPid = 0;
            long lastSeq = Long.MIN_VALUE;
            for (int i = 0; i < n; i++) {
                AppendRecord r = records.get(i);
                if (r.producerId() != 0) {
                    long known = producers.lookup(r.producerId(), r.sequence(), now);
                    boolean ascending = r.producerId() == lastPid && r.sequence() > lastSeq;
                    lastPid = r.producerId();
                    lastSeq = ascending ? r.sequence() : Math.max(lastSeq, r.sequence());
                    if (known != ProducerTable.NEW || (!ascending && seenEarlierInBatch(records, i))) {
                        duplicates[i] = true;
                        offsets[i] = known >= 0 ? known : ProducerTable.UNKNOWN_OFFSET;
                        waitFor = Math.max(waitFor, known >= 0 ? known + 1 : nextOffset);
                        continue;
                    }
                }
                int size = RecordFormat.sizeOf(metas[i], encodedHeaders[i], r.payload());
                if (active.size() > 0 && active.size() + buffer.pendingBytes() + size > config.segmentBytes()) {
                    writeBuffered();
                    roll();
                    rolledTo = nextOffset;
                }
                long offset = nextOffset++;
                buffer.add(records, i, offset, stamp, metas[i], encodedHeaders[i], size);
                offsets[i] = offset;
                waitFor = Math.max(waitFor, offset + 1);
            }
            writeBuffered();
            boolean snapshotted = rolledTo < 0;
            for (int i = 0; i < n; i++) {
                AppendRecord r = records.get(i);
                if (r.producerId() != 0 && !duplicates[i]) {
                    if (!snapshotted && offsets[i] >= rolledTo) {
                        pendingCheckpoint = checkpointAt(rolledTo);
                        snapshotted = true;
                    }
                    producers.record(r.producerId(), r.sequence(), offsets[i], now);
                }
            }
            if (!snapshotted) {
                pendingCheckpoint = checkpointAt(rolledTo);
            }
            long before = durability.durableOffset();
            completeNow = durability.appended(waitFor, nextOffset, durable);
            advanced = durability.durableOffset() > before;
        } catch (IOException e) {
            if (!(e instanceof Durability.ForceFailedException)
                    && StorageFullException.isNoSpace(e)
                    && undo(startActive, startSize, startNext)) {
                pendingCheckpoint = startCheckpoint;
                failed =
                        new StorageFullException("Topic " + name + ": storage full; nothing of the append was kept", e);
            } else {
                List<Durability.Waiter> dropped = fail(e);
                failed = new StorageException("Topic " + name + ": write failed", e);
                buffer.reset();
                lock.unlock();
                completeFailed(dropped, e);
                throw failed;
            }
        } finally {
            if (lock.isHeldByCurrentThread()) {
                buffer.reset();
                lock.unlock();
            }
        }
        if (failed != null) {
            throw failed;
        }
        if (completeNow) {
            durable.complete(null);
        }
        if (advanced) {
            notifyDurable();
        }
        return new Appended(offsets, duplicates, durable);
    }

    /**
     * The checkpoint of a roll to {@code recoveryPoint}, with the producer table as it is now. The caller holds the
     * lock.
     */
    private RecoveryCheckpoint checkpointAt(long recoveryPoint) {
        List<long[]> below = new ArrayList<>();
        for (long[] m : missing) {
            if (m[1] <= recoveryPoint) {
                below.add(m);
            }
        }
        return new RecoveryCheckpoint(recoveryPoint, List.copyOf(below), producers.snapshot());
    }

    /**
     * Writes the checkpoint of the last roll, if there is one not written yet: forces and stores the
     * index of each sealed segment below it that has none, then the checkpoint itself (see the class
     * comment). Blocks on disk I/O: for the broker's housekeeping thread, never an I/O thread. A
     * failure is logged and leaves the previous checkpoint in place; the log goes on.
     *
     * @return whether a checkpoint was written
     */
    public boolean checkpoint() {
        return writeCheckpoint(false);
    }

    private boolean writeCheckpoint(boolean closing) {
        checkpointLock.lock();
        try {
            RecoveryCheckpoint cp;
            List<Segment> sealed;
            lock.lock();
            try {
                cp = pendingCheckpoint;
                if (cp == null || failure != null || (closed && !closing)) {
                    return false;
                }
                sealed = new ArrayList<>(segments.headMap(cp.recoveryPoint()).values());
            } finally {
                lock.unlock();
            }
            for (Segment s : sealed) {
                if (!s.indexStored()) {
                    config.syncer().force(s.channel());
                    s.storeIndex(storage);
                }
            }
            cp.write(storage, dir);
            lock.lock();
            try {
                if (pendingCheckpoint == cp) {
                    pendingCheckpoint = null;
                }
            } finally {
                lock.unlock();
            }
            log.debug("Topic {}: recovery checkpoint at offset {}", name, cp.recoveryPoint());
            return true;
        } catch (ClosedChannelException e) {
            log.debug("Topic {}: a segment went to retention during the checkpoint; the next pass writes it", name);
            return false;
        } catch (IOException e) {
            if (StorageFullException.isNoSpace(e)) {
                log.warn("Topic {}: no space for the recovery checkpoint; the next pass tries again", name);
            } else {
                log.warn("Topic {}: writing the recovery checkpoint failed; a restart scans more of the log", name, e);
            }
            return false;
        } catch (RuntimeException e) {
            log.warn("Topic {}: writing the recovery checkpoint failed; a restart scans more of the log", name, e);
            return false;
        } finally {
            checkpointLock.unlock();
        }
    }

    /** How many segments {@link #open} read through (the others it restored from the recovery checkpoint). */
    public int segmentsScannedOnOpen() {
        return scannedOnOpen;
    }

    /** Whether a record of the same producer and sequence comes earlier in this batch. */
    private static boolean seenEarlierInBatch(List<AppendRecord> records, int i) {
        AppendRecord r = records.get(i);
        for (int j = i - 1; j >= 0; j--) {
            AppendRecord e = records.get(j);
            if (e.producerId() == r.producerId() && e.sequence() == r.sequence()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Takes back an append that ran out of space: deletes segments it rolled to, cuts the segment it
     * started in back to its size then, and gives its offsets out again. Returns false (and the log must
     * fail) if that cannot be done. The caller holds the lock.
     */
    private boolean undo(Segment startActive, long startSize, long startNext) {
        try {
            while (active != startActive) {
                Segment s = active;
                segments.remove(s.baseOffset());
                durability.discard(s);
                s.close();
                storage.deleteIfExists(s.file());
                active = segments.lastEntry().getValue();
            }
            active.truncateTo(startSize, startNext);
            nextOffset = startNext;
            log.warn("Topic {}: storage full; an append of offsets {}.. was refused and undone", name, startNext);
            return true;
        } catch (IOException | RuntimeException e) {
            log.error("Topic {}: could not undo an append after the disk filled up", name, e);
            return false;
        }
    }

    /** Runs of one producer's consecutive sequences must continue what is stored (see {@link ProducerTable}). */
    private void checkSequences(List<AppendRecord> records) {
        int i = 0;
        while (i < records.size()) {
            AppendRecord first = records.get(i);
            int j = i + 1;
            while (j < records.size()
                    && records.get(j).producerId() == first.producerId()
                    && records.get(j).sequence() == first.sequence() + (j - i)) {
                j++;
            }
            if (first.producerId() != 0) {
                producers.check(first.producerId(), first.sequence(), j - i);
            }
            i = j;
        }
    }

    /** Writes what the buffer holds to the active segment. */
    private void writeBuffered() throws IOException {
        if (buffer.writeTo(active)) {
            durability.written(active);
        }
    }

    private void roll() throws IOException {
        durability.rolling(active);
        active = Segment.create(storage, dir, nextOffset, config.indexIntervalBytes());
        segments.put(nextOffset, active);
        durability.created(dir);
        log.debug("Topic {}: rolled to segment {}", name, active.file().getFileName());
    }

    private void ensureWritable() {
        Throwable f = failure;
        if (f != null) {
            throw new StorageException("Topic " + name + " refuses writes after a storage failure: " + f, f);
        }
        if (closed) {
            throw new StorageException("Topic " + name + " is closed");
        }
    }

    /**
     * Marks the log failed and takes its waiters, which the caller must {@linkplain #completeFailed
     * fail} once it has released the lock. The caller holds the lock.
     */
    private List<Durability.Waiter> fail(Throwable e) {
        if (!lock.isHeldByCurrentThread()) {
            throw new IllegalStateException("fail() needs the append lock");
        }
        if (failure == null) {
            failure = e;
            log.error(
                    "Topic {}: storage failure; the topic refuses writes from now on and acknowledges nothing "
                            + "written after {}",
                    name,
                    durability.durableOffset(),
                    e);
        }
        return durability.fail();
    }

    /** Fails the futures of {@code dropped}; never called under the lock. */
    private void completeFailed(List<Durability.Waiter> dropped, Throwable cause) {
        StorageException ex = new StorageException("Topic " + name + ": fsync or write failed; not durable", cause);
        for (Durability.Waiter w : dropped) {
            w.future().completeExceptionally(ex);
        }
    }

    private void notifyDurable() {
        for (Runnable r : durableListeners) {
            try {
                r.run();
            } catch (RuntimeException e) {
                log.warn("Topic {}: durable listener failed", name, e);
            }
        }
    }

    /** Runs {@code listener} (quickly, without blocking) each time the durable offset advances. */
    public void addDurableListener(Runnable listener) {
        durableListeners.add(listener);
    }

    /** The durable record at exactly {@code offset}, or null if there is none (removed, missing, not yet durable). */
    public StoredRecord readAt(long offset) {
        List<StoredRecord> r = read(offset, 1, 1);
        return r.isEmpty() || r.get(0).offset() != offset ? null : r.get(0);
    }

    /**
     * Reads durable records from {@code from} on (or from the first retained one, if {@code from} is no
     * longer retained), at most {@code maxCount} and about {@code maxBytes}. Returns an empty list at
     * the durable end.
     */
    public List<StoredRecord> read(long from, int maxCount, int maxBytes) {
        for (int attempt = 0; ; attempt++) {
            long limit = durability.durableOffset();
            try {
                long at = Math.max(from, startOffset());
                List<StoredRecord> out = new ArrayList<>();
                int bytes = 0;
                while (at < limit && out.size() < maxCount && bytes < maxBytes) {
                    Map.Entry<Long, Segment> e = segments.floorEntry(at);
                    if (e == null) {
                        e = segments.ceilingEntry(at);
                        if (e == null) {
                            break;
                        }
                    }
                    List<StoredRecord> part =
                            e.getValue().read(at, limit, maxCount - out.size(), Math.max(1, maxBytes - bytes));
                    for (StoredRecord r : part) {
                        bytes += r.payload().length + RecordFormat.HEADERS_OFFSET;
                    }
                    out.addAll(part);
                    if (!part.isEmpty()) {
                        at = part.get(part.size() - 1).offset() + 1;
                        if (out.size() >= maxCount || bytes >= maxBytes) {
                            break;
                        }
                    }
                    Map.Entry<Long, Segment> next = segments.higherEntry(e.getKey());
                    if (next == null) {
                        break;
                    }
                    at = Math.max(at, next.getKey());
                }
                return out;
            } catch (ClosedChannelException e) {
                if (attempt >= 3) {
                    throw new StorageException("Topic " + name + ": segment closed during read", e);
                }
                // A retention pass removed the segment; read again from what remains.
            } catch (IOException e) {
                throw new UncheckedIOException("Topic " + name + ": read failed", e);
            }
        }
    }

    /** The first retained offset (where a subscription from "earliest" starts). */
    public long startOffset() {
        Map.Entry<Long, Segment> first = segments.firstEntry();
        return first == null ? durability.durableOffset() : first.getKey();
    }

    /** One past the last durable record: readers see offsets below it. */
    public long durableOffset() {
        return durability.durableOffset();
    }

    /** One past the last appended record (durable or not). */
    public long endOffset() {
        lock.lock();
        try {
            return nextOffset;
        } finally {
            lock.unlock();
        }
    }

    /** The storage failure that stopped writes, or null. */
    public Throwable failure() {
        return failure;
    }

    /** What recovery found and did when this log was opened (torn tails cut, segments quarantined). */
    public List<String> recoveryReport() {
        return recoveryReport;
    }

    public String name() {
        return name;
    }

    /** Idempotent producers remembered for deduplication now. */
    public int producerCount() {
        lock.lock();
        try {
            producers.expireIdle(System.currentTimeMillis());
            return producers.size();
        } finally {
            lock.unlock();
        }
    }

    /** The base offsets of the segments, oldest first. */
    public List<Long> segmentBaseOffsets() {
        return new ArrayList<>(segments.keySet());
    }

    /** Bytes in all segments. */
    public long sizeBytes() {
        return segments.values().stream().mapToLong(Segment::size).sum();
    }

    /**
     * Deletes whole segments, never the active one: those whose every record is below
     * {@code ackedBelow} (pass {@code Long.MIN_VALUE} when the topic has no subscription), and the
     * oldest while the topic exceeds its size limit or they are older than its age limit. A segment's
     * age is that of its newest record, read as the file's last-modified time. Segments go from the
     * oldest end only, so the log stays contiguous: the first segment to keep ends the pass.
     *
     * @return the number of segments deleted
     */
    public int applyRetention(long ackedBelow) {
        return retention.apply(ackedBelow, System.currentTimeMillis());
    }

    /**
     * Changes the log's retention limits, in force from the next pass: delete the oldest segments while
     * the log is larger than {@code bytes}, and segments older than {@code millis} (-1: no limit).
     */
    public void retention(long bytes, long millis) {
        retention.limits(bytes, millis);
    }

    /** The size limit in force (-1: none). */
    public long retentionBytes() {
        return retention.bytesLimit();
    }

    /** The age limit in force, in milliseconds (-1: none). */
    public long retentionMillis() {
        return retention.millisLimit();
    }

    /** Whether retention may delete {@code segment}: it is forced and the log is open. */
    private boolean deletable(Segment segment) {
        lock.lock();
        try {
            return !durability.isUnforced(segment) && !closed;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Offset ranges {@code [from, to)} within the log that recovery found no record for: damage took
     * them. Subscriptions never acknowledge them by themselves.
     */
    public List<long[]> missingOffsets() {
        return missing;
    }

    /** Whether {@code offset} lies in a {@linkplain #missingOffsets() missing range}. */
    public boolean isMissing(long offset) {
        for (long[] m : missing) {
            if (offset >= m[0] && offset < m[1]) {
                return true;
            }
        }
        return false;
    }

    /** Forces everything written, stops the flusher and closes the files. Idempotent. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            durability.stop();
        } finally {
            lock.unlock();
        }
        durability.awaitStopped();
        List<Durability.Waiter> left = new ArrayList<>();
        Throwable closeFailure = null;
        lock.lock();
        try {
            if (failure == null) {
                try {
                    durability.forceAll();
                    durability.durableUpTo(nextOffset);
                } catch (IOException e) {
                    closeFailure = e;
                    left.addAll(fail(e));
                }
            }
            left.addAll(durability.takeWaiters());
        } finally {
            lock.unlock();
        }
        if (closeFailure == null) {
            writeCheckpoint(true);
        }
        lock.lock();
        try {
            closeSegments();
        } finally {
            lock.unlock();
        }
        for (Durability.Waiter w : left) {
            if (closeFailure == null && w.offsetExclusive() <= durability.durableOffset()) {
                w.future().complete(null);
            } else {
                w.future().completeExceptionally(new StorageException("Topic " + name + " closed", closeFailure));
            }
        }
    }

    private void closeSegments() {
        for (Segment s : segments.values()) {
            try {
                s.close();
            } catch (IOException e) {
                log.warn("Topic {}: closing {} failed", name, s.file(), e);
            }
        }
    }
}
