package dev.courier.mq.broker.storage;

import java.io.IOException;
import java.time.Duration;

/**
 * Settings of a topic log. Immutable; build with {@link #builder()}.
 *
 * @param segmentBytes       a segment rolls once it would grow past this (default 64 MiB)
 * @param indexIntervalBytes one sparse index entry per this many bytes of records (default 4 KiB)
 * @param fsync              the durability policy (default {@link FsyncPolicy#GROUP})
 * @param retentionBytes     delete the oldest segments while the topic is larger (-1: no limit)
 * @param retentionMillis    delete segments whose newest record is older (-1: no limit)
 * @param syncer             how a file is forced to disk (a seam for fault-injection tests)
 * @param producerIdleMillis an idempotent producer id unseen this long is forgotten by deduplication
 *                           (default 1 day)
 * @param clock              the time records are stamped with, epoch milliseconds (default the system clock;
 *                           the broker passes its own, so that times to live and seeks by time follow it)
 * @param flushers           with {@link FsyncPolicy#GROUP}, the executor the log's flushes run on, shared by
 *                           the broker's topics; null (the default) gives the log a flusher thread of its own
 */
public record LogConfig(
        long segmentBytes,
        int indexIntervalBytes,
        FsyncPolicy fsync,
        long retentionBytes,
        long retentionMillis,
        Syncer syncer,
        long producerIdleMillis,
        java.util.function.LongSupplier clock,
        java.util.concurrent.Executor flushers) {

    /** Forces a segment file to disk. */
    @FunctionalInterface
    public interface Syncer {
        Syncer FORCE = file -> file.force(false);

        void force(StorageFile file) throws IOException;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static LogConfig defaults() {
        return builder().build();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.segmentBytes = segmentBytes;
        b.indexIntervalBytes = indexIntervalBytes;
        b.fsync = fsync;
        b.retentionBytes = retentionBytes;
        b.retentionMillis = retentionMillis;
        b.syncer = syncer;
        b.producerIdleMillis = producerIdleMillis;
        b.clock = clock;
        b.flushers = flushers;
        return b;
    }

    /** Builds a {@link LogConfig}; not thread-safe. */
    public static final class Builder {
        private long segmentBytes = 64L << 20;
        private int indexIntervalBytes = 4096;
        private FsyncPolicy fsync = FsyncPolicy.GROUP;
        private long retentionBytes = -1;
        private long retentionMillis = -1;
        private Syncer syncer = Syncer.FORCE;
        private long producerIdleMillis = Duration.ofDays(1).toMillis();
        private java.util.function.LongSupplier clock = System::currentTimeMillis;
        private java.util.concurrent.Executor flushers;

        private Builder() {}

        public Builder segmentBytes(long v) {
            if (v < 1024) {
                throw new IllegalArgumentException("segmentBytes must be >= 1024");
            }
            segmentBytes = v;
            return this;
        }

        public Builder indexIntervalBytes(int v) {
            if (v <= 0) {
                throw new IllegalArgumentException("indexIntervalBytes must be > 0");
            }
            indexIntervalBytes = v;
            return this;
        }

        public Builder fsync(FsyncPolicy v) {
            fsync = v;
            return this;
        }

        /** The size limit of the topic in bytes; -1 for none. */
        public Builder retentionBytes(long v) {
            if (v < -1) {
                throw new IllegalArgumentException("retentionBytes must be >= 0, or -1 for no limit");
            }
            retentionBytes = v;
            return this;
        }

        /** The age limit of a segment's newest record; null for none. */
        public Builder retention(Duration v) {
            return retentionMillis(v == null ? -1 : v.toMillis());
        }

        /** The age limit of a segment's newest record in milliseconds; -1 for none. */
        public Builder retentionMillis(long v) {
            if (v < -1) {
                throw new IllegalArgumentException("retentionMillis must be >= 0, or -1 for no limit");
            }
            retentionMillis = v;
            return this;
        }

        public Builder syncer(Syncer v) {
            syncer = v;
            return this;
        }

        /** How long an idempotent producer id may stay silent before deduplication forgets it. */
        public Builder producerIdleExpiry(Duration v) {
            if (v.isNegative() || v.isZero()) {
                throw new IllegalArgumentException("producerIdleExpiry must be > 0");
            }
            producerIdleMillis = v.toMillis();
            return this;
        }

        /** The time records are stamped with. */
        public Builder clock(java.util.function.LongSupplier v) {
            clock = java.util.Objects.requireNonNull(v, "clock");
            return this;
        }

        /** The executor group-commit flushes run on (null: a thread of the log's own). */
        public Builder flushers(java.util.concurrent.Executor v) {
            flushers = v;
            return this;
        }

        public LogConfig build() {
            return new LogConfig(
                    segmentBytes,
                    indexIntervalBytes,
                    fsync,
                    retentionBytes,
                    retentionMillis,
                    syncer,
                    producerIdleMillis,
                    clock,
                    flushers);
        }
    }
}
