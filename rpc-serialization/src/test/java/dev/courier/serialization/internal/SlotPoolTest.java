package dev.courier.serialization.internal;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SlotPoolTest {

    @Test
    void anObjectFreedIsTheOneObtainedNext() {
        AtomicInteger created = new AtomicInteger();
        SlotPool<Object> pool = new SlotPool<>(4, counting(created));
        Object first = pool.obtain();
        pool.free(first);

        assertThat(pool.obtain()).isSameAs(first);
        assertThat(created.get()).isEqualTo(1);
    }

    @Test
    void aFullPoolDropsWhatIsFreedAndAnEmptyOneCreates() {
        AtomicInteger created = new AtomicInteger();
        SlotPool<Object> pool = new SlotPool<>(3, counting(created));
        List<Object> taken = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            taken.add(pool.obtain());
        }
        assertThat(created.get()).isEqualTo(6);
        taken.forEach(pool::free);

        assertThat(pool.idle()).as("3 rounds up to 4 slots").isEqualTo(4);
    }

    @Test
    void capacityOutsideItsRangeIsRefused() {
        assertThatThrownBy(() -> new SlotPool<>(0, Object::new)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SlotPool<>((1 << 16) + 1, Object::new))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new SlotPool<>(1, Object::new).obtain()).isNotNull();
    }

    @Test
    void threadsNeverHoldTheSameObjectAtOnce() throws Exception {
        int threads = 8;
        int rounds = 20_000;
        SlotPool<AtomicInteger> pool = new SlotPool<>(4, AtomicInteger::new);
        AtomicInteger clashes = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(executor.submit(() -> {
                    start.await();
                    for (int i = 0; i < rounds; i++) {
                        AtomicInteger held = pool.obtain();
                        // an object handed to two threads at once is marked by the other one here
                        if (!held.compareAndSet(0, 1)) {
                            clashes.incrementAndGet();
                        }
                        for (int spin = 0; spin < 20; spin++) {
                            Thread.onSpinWait();
                        }
                        held.set(0);
                        pool.free(held);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            executor.shutdownNow();
        }
        assertThat(clashes.get()).isZero();
        assertThat(pool.idle()).isBetween(1, 4);
    }

    /** New objects, counted in {@code created}. */
    private static java.util.function.Supplier<Object> counting(AtomicInteger created) {
        return () -> {
            created.incrementAndGet();
            return new Object();
        };
    }
}
