package dev.courier.mq.broker.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Messages a topic's log holds back from its subscriptions until something happens (a due time, a commit), kept
 * track of by a table that a restart rebuilds by scanning the log from a checkpoint: {@link DelayQueue},
 * {@link Transactions}. The table of a topic exists from its first such message on; {@link Slot} creates it.
 */
interface HeldMessages {

    /** Stores the new table's checkpoint at {@code firstOffset}, durably (blocks on disk I/O). */
    void create(long firstOffset) throws IOException;

    /** The lowest offset of a message still held, or {@code end}: retention keeps it, and the checkpoint. */
    long lowestHeld(long end);

    /** Moves the checkpoint to {@code lowest} (housekeeping; blocks on disk I/O). */
    void checkpoint(long lowest) throws IOException;

    /** Hands {@code each} every durable record of {@code log} from {@code from} on, in offset order (a recovery). */
    static void scan(
            dev.courier.mq.broker.storage.TopicLog log,
            long from,
            java.util.function.Consumer<dev.courier.mq.broker.storage.StoredRecord> each) {
        long end = log.durableOffset();
        for (long next = from; next < end; ) {
            java.util.List<dev.courier.mq.broker.storage.StoredRecord> batch = log.read(next, 1024, 4 << 20);
            if (batch.isEmpty()) {
                return;
            }
            for (dev.courier.mq.broker.storage.StoredRecord r : batch) {
                each.accept(r);
                next = r.offset() + 1;
            }
        }
    }

    /**
     * Where a topic keeps one such table, created on first use. Thread-safe: the table is made at once, so an
     * append that follows keeps its place in the connection's order, and its checkpoint is stored on the given
     * executor; a held message is acknowledged only once that is durable, so that a restart finds it.
     */
    final class Slot<T extends HeldMessages> {
        private volatile T table;
        private volatile CompletableFuture<Void> ready;

        /** A slot holding {@code recovered} (found on open), or empty. */
        void recovered(T recovered) {
            table = recovered;
            ready = CompletableFuture.completedFuture(null);
        }

        T table() {
            return table;
        }

        /**
         * The table's readiness: creates it with {@code make}, its checkpoint at {@code from}, if there is none.
         */
        CompletableFuture<Void> ensure(Supplier<T> make, java.util.function.LongSupplier from, Executor executor) {
            CompletableFuture<Void> r = ready;
            if (r != null) {
                return r;
            }
            synchronized (this) {
                if (ready == null) {
                    T t = make.get();
                    long at = from.getAsLong();
                    table = t;
                    ready = CompletableFuture.runAsync(
                            () -> {
                                try {
                                    t.create(at);
                                } catch (IOException e) {
                                    throw new UncheckedIOException(e);
                                }
                            },
                            executor);
                }
                return ready;
            }
        }

        /** Moves the checkpoint once the table is stored (housekeeping). */
        void checkpoint(long lowest) throws IOException {
            T t = table;
            CompletableFuture<Void> r = ready;
            if (t != null && r != null && r.isDone() && !r.isCompletedExceptionally()) {
                t.checkpoint(lowest);
            }
        }
    }
}
