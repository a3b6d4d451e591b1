package dev.courier.registry.coordination.internal;

import dev.courier.registry.RegistryException;
import dev.courier.registry.coordination.IdGenerator;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Segment ids (Meituan Leaf style): each range of {@code step} ids is claimed with one atomic add to a
 * registry counter, so ranges never overlap and each is above all claimed before it. The next range is
 * claimed in the background once a tenth of the current one is used (Leaf's double buffer), so a busy
 * generator rarely waits for the registry; when it did have to wait, the ranges it claims from then on
 * are twice as long (up to {@value #MAX_GROWTH} times the step given), as Leaf sizes its steps to the
 * rate ids are taken at.
 *
 * <p>Thread-safe: {@link #nextId()} is synchronized.
 */
final class SegmentIds implements IdGenerator {

    private final StandardCoordination coordination;
    private final String counter;
    static final int MAX_GROWTH = 64;

    private final long maxStep;
    private long step;
    private long start;
    private long next;
    private long end; // exclusive; next == end: no range
    private CompletableFuture<long[]> prefetch;

    SegmentIds(StandardCoordination coordination, String counter, int step) {
        this.coordination = coordination;
        this.counter = counter;
        this.step = step;
        this.maxStep = (long) step * MAX_GROWTH;
    }

    @Override
    public synchronized long nextId() {
        coordination.ensureOpen();
        if (next == end) {
            if (prefetch != null && !prefetch.isDone() && step < maxStep) {
                step *= 2; // ids are taken faster than a range is claimed
            }
            long[] range = prefetch != null ? take(prefetch) : claim(step);
            prefetch = null;
            start = range[0];
            next = range[0];
            end = range[1];
        }
        long id = next++;
        if (prefetch == null && (next - start) * 10 >= end - start) {
            long size = step;
            prefetch = CompletableFuture.supplyAsync(() -> claim(size), coordination.scheduler);
        }
        return id;
    }

    /** Claims the next {@code size} ids: [high - size + 1, high + 1). */
    private long[] claim(long size) {
        long high = coordination.backend.addAndGet(counter, size);
        return new long[] {high - size + 1, high + 1};
    }

    private long[] take(CompletableFuture<long[]> claimed) {
        try {
            return claimed.get();
        } catch (ExecutionException e) {
            return claim(step); // the background claim failed: try once more in the caller
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("interrupted while claiming an id range", e);
        }
    }
}
