package dev.courier.registry.coordination.internal;

import dev.courier.registry.RegistryException;
import dev.courier.registry.coordination.IdGenerator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Segment ids (Meituan Leaf style): each range of {@code step} ids is claimed with one atomic add to a
 * registry counter, so ranges never overlap and each is above all claimed before it. The next range is
 * claimed in the background once a tenth of the current one is left (Leaf's double buffer), so a busy
 * generator rarely waits for the registry.
 *
 * <p>Thread-safe: {@link #nextId()} is synchronized.
 */
final class SegmentIds implements IdGenerator {

    private final StandardCoordination coordination;
    private final String counter;
    private final int step;
    private long next;
    private long end; // exclusive; next == end: no range
    private CompletableFuture<long[]> prefetch;

    SegmentIds(StandardCoordination coordination, String counter, int step) {
        this.coordination = coordination;
        this.counter = counter;
        this.step = step;
    }

    @Override
    public synchronized long nextId() {
        coordination.ensureOpen();
        if (next == end) {
            long[] range = prefetch != null ? take(prefetch) : claim();
            prefetch = null;
            next = range[0];
            end = range[1];
        }
        long id = next++;
        if (prefetch == null && end - next <= step / 10) {
            prefetch = CompletableFuture.supplyAsync(this::claim, coordination.scheduler);
        }
        return id;
    }

    /** Claims the next range: [high - step + 1, high + 1). */
    private long[] claim() {
        long high = coordination.backend.addAndGet(counter, step);
        return new long[] {high - step + 1, high + 1};
    }

    private long[] take(CompletableFuture<long[]> claimed) {
        try {
            return claimed.get();
        } catch (ExecutionException e) {
            return claim(); // the background claim failed: try once more in the caller
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("interrupted while claiming an id range", e);
        }
    }
}
