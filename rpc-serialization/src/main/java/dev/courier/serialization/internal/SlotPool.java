package dev.courier.serialization.internal;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;

/**
 * A bounded, lock-free pool of reusable objects: a fixed array of slots, each empty or holding one idle
 * object, taken and put back with one compare-and-set. A thread starts its search at a slot of its own
 * (from its id), so threads that take and return at the same time mostly touch different slots. An
 * empty pool creates a new object; a full one drops the object returned to it, so the pool never holds
 * more than its capacity, whatever the number of threads.
 *
 * <p>Unlike a pool on a blocking queue, it takes no lock and allocates nothing to take or return.
 *
 * <p>Thread-safe; an object is owned by the thread that took it until that thread frees it.
 *
 * @param <T> what the pool holds
 */
public final class SlotPool<T> {

    private final AtomicReferenceArray<T> slots;
    private final int mask;
    private final Supplier<? extends T> factory;

    /** @param capacity the most idle objects kept, rounded up to a power of two */
    public SlotPool(int capacity, Supplier<? extends T> factory) {
        if (capacity < 1 || capacity > 1 << 16) {
            throw new IllegalArgumentException("capacity " + capacity + " is not within 1..65536");
        }
        int size = capacity == 1 ? 1 : Integer.highestOneBit(capacity - 1) << 1;
        this.slots = new AtomicReferenceArray<>(size);
        this.mask = size - 1;
        this.factory = factory;
    }

    /** An idle object, or a new one when none is idle. */
    public T obtain() {
        int start = home();
        for (int i = 0; i <= mask; i++) {
            int index = (start + i) & mask;
            T value = slots.get(index);
            if (value != null && slots.compareAndSet(index, value, null)) {
                return value;
            }
        }
        return factory.get();
    }

    /** Returns {@code value} for reuse; dropped when every slot is taken. */
    public void free(T value) {
        int start = home();
        for (int i = 0; i <= mask; i++) {
            int index = (start + i) & mask;
            if (slots.get(index) == null && slots.compareAndSet(index, null, value)) {
                return;
            }
        }
    }

    /** Idle objects now in the pool (a snapshot, for tests). */
    public int idle() {
        int n = 0;
        for (int i = 0; i <= mask; i++) {
            if (slots.get(i) != null) {
                n++;
            }
        }
        return n;
    }

    /** The slot this thread starts from: its id, spread over the slots. */
    private int home() {
        return (int) (Thread.currentThread().getId() * 0x9E3779B97F4A7C15L >>> 40);
    }
}
