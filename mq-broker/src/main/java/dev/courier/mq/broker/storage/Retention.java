package dev.courier.mq.broker.storage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.NavigableMap;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Retention of one {@link TopicLog}: deletes whole segments from the oldest end, never the active one
 * — those every subscription acknowledged, and the oldest while the topic is over its size limit or
 * they are older than its age limit (a segment's age is that of its newest record, read as the file's
 * last-modified time). The first segment to keep ends a pass, so the log stays contiguous. A segment is
 * kept while its successor is not durable, and while the log has written to it without forcing it yet.
 *
 * <p><b>Deleting.</b> The file goes first: if that fails, the segment stays in the log (served and
 * retried by the next pass). Then it leaves the log, is closed, and the directory is synced at once; a
 * failed delete or sync is a {@link StorageException} of this pass only, not a failure of the log.
 *
 * <p><b>Locking.</b> The segment map is concurrent and readers may find a segment closed under them
 * (they read again); whether a segment may go is asked of the log under its append lock
 * ({@code deletable}). One thread at a time runs a pass (the broker's housekeeping); it holds no lock
 * while it deletes.
 */
final class Retention {

    private static final Logger log = LoggerFactory.getLogger(Retention.class);

    private final String name;
    private final Path dir;
    private final Storage storage;
    private final NavigableMap<Long, Segment> segments;
    private final LongSupplier durableOffset;
    private final Predicate<Segment> deletable;
    /** The limits in force: the config's, until an operator changes them. */
    private volatile long bytesLimit;

    private volatile long millisLimit;

    /**
     * @param segments      the log's segments by base offset (shared with the log)
     * @param durableOffset the log's durable offset
     * @param deletable     whether a segment is forced and the log still open (takes the append lock)
     */
    Retention(
            String name,
            Path dir,
            LogConfig config,
            Storage storage,
            NavigableMap<Long, Segment> segments,
            LongSupplier durableOffset,
            Predicate<Segment> deletable) {
        this.name = name;
        this.dir = dir;
        this.storage = storage;
        this.segments = segments;
        this.durableOffset = durableOffset;
        this.deletable = deletable;
        this.bytesLimit = config.retentionBytes();
        this.millisLimit = config.retentionMillis();
    }

    /** Sets the size and age limits in force from the next pass (-1: no limit). */
    void limits(long bytes, long millis) {
        if (bytes < -1 || millis < -1) {
            throw new IllegalArgumentException(
                    "Retention limits are >= 0, or -1 for no limit: " + bytes + " bytes, " + millis + " ms");
        }
        this.bytesLimit = bytes;
        this.millisLimit = millis;
    }

    long bytesLimit() {
        return bytesLimit;
    }

    long millisLimit() {
        return millisLimit;
    }

    /**
     * One pass; {@code ackedBelow} is the lowest acknowledgement floor of the subscriptions
     * ({@code Long.MIN_VALUE} when there is none), {@code now} the time the age limit counts back from.
     *
     * @return the number of segments deleted
     */
    int apply(long ackedBelow, long now) {
        int deleted = 0;
        while (true) {
            Map.Entry<Long, Segment> first = segments.firstEntry();
            Map.Entry<Long, Segment> second = first == null ? null : segments.higherEntry(first.getKey());
            if (second == null) {
                return deleted;
            }
            Segment s = first.getValue();
            boolean acked = second.getKey() <= ackedBelow;
            long maxBytes = bytesLimit;
            long maxMillis = millisLimit;
            boolean tooBig = maxBytes >= 0 && sizeBytes() > maxBytes;
            boolean tooOld = maxMillis >= 0 && lastModified(s) < now - maxMillis;
            if (!acked && !tooBig && !tooOld) {
                return deleted;
            }
            if (second.getKey() > durableOffset.getAsLong()) {
                return deleted; // the next segment is not durable yet: keep its predecessor
            }
            if (!deletable.test(s)) {
                return deleted; // the flusher has yet to force it: next pass
            }
            try {
                // The file goes first: if that fails, the segment stays in the log and the next pass tries again.
                storage.deleteIfExists(s.file());
                // then its stored index (one left behind by a failure here is deleted on the next open)
                storage.deleteIfExists(Segment.indexFileFor(dir, s.baseOffset()));
            } catch (IOException e) {
                throw new StorageException("Topic " + name + ": deleting segment " + s.file() + " failed", e);
            }
            segments.remove(first.getKey());
            try {
                s.close();
                storage.syncDirectory(dir);
            } catch (IOException e) {
                throw new StorageException(
                        "Topic " + name + ": syncing " + dir + " after deleting " + s.file() + " failed", e);
            }
            log.info(
                    "Topic {}: deleted segment {} ({})",
                    name,
                    s.file().getFileName(),
                    acked ? "acknowledged by every subscription" : tooBig ? "size limit" : "age limit");
            deleted++;
        }
    }

    /** Bytes in all segments. */
    long sizeBytes() {
        return segments.values().stream().mapToLong(Segment::size).sum();
    }

    private long lastModified(Segment s) {
        try {
            return storage.lastModified(s.file());
        } catch (IOException e) {
            return s.createdMillis();
        }
    }
}
