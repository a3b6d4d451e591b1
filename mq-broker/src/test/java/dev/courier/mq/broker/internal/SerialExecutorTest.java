package dev.courier.mq.broker.internal;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SerialExecutorTest {

    private final ExecutorService pool = Executors.newFixedThreadPool(4);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void runsTasksOneAtATimeInTheOrderTheyCameFromManyThreadsOfThePool() throws Exception {
        SerialExecutor serial = new SerialExecutor(pool);
        List<Integer> ran = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger running = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        for (int i = 0; i < 10_000; i++) {
            int n = i;
            serial.execute(() -> {
                if (running.incrementAndGet() != 1) {
                    overlaps.incrementAndGet();
                }
                ran.add(n);
                running.decrementAndGet();
            });
        }
        assertThat(serial.awaitIdle(30, TimeUnit.SECONDS)).isTrue();
        assertThat(overlaps).hasValue(0);
        assertThat(ran)
                .containsExactlyElementsOf(IntStream.range(0, 10_000).boxed().toList());
    }

    @Test
    void aBusyOwnerGivesThePoolBackBetweenBatches() throws Exception {
        ExecutorService one = Executors.newSingleThreadExecutor();
        try {
            SerialExecutor serial = new SerialExecutor(one);
            CountDownLatch release = new CountDownLatch(1);
            List<String> order = Collections.synchronizedList(new ArrayList<>());
            serial.execute(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            for (int i = 0; i < SerialExecutor.BATCH * 2; i++) {
                serial.execute(() -> order.add("serial"));
            }
            one.execute(() -> order.add("other")); // queued on the pool behind the first drain
            release.countDown();
            assertThat(serial.awaitIdle(10, TimeUnit.SECONDS)).isTrue();
            one.submit(() -> {}).get(10, TimeUnit.SECONDS);
            assertThat(order.indexOf("other"))
                    .as("the other owner ran after one batch, not after the whole queue")
                    .isEqualTo(SerialExecutor.BATCH - 1);
        } finally {
            one.shutdownNow();
        }
    }

    @Test
    void afterShutdownNewTasksAreRefusedAndQueuedOnesStillRun() throws Exception {
        SerialExecutor serial = new SerialExecutor(pool);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger ran = new AtomicInteger();
        serial.execute(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ran.incrementAndGet();
        });
        serial.execute(ran::incrementAndGet);
        serial.shutdown();
        assertThatThrownBy(() -> serial.execute(ran::incrementAndGet)).isInstanceOf(RejectedExecutionException.class);
        assertThat(serial.awaitIdle(50, TimeUnit.MILLISECONDS)).as("still busy").isFalse();
        release.countDown();
        assertThat(serial.awaitIdle(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ran).hasValue(2);
    }

    @Test
    void aTaskThatThrowsDoesNotStopTheOnesAfterIt() throws Exception {
        SerialExecutor serial = new SerialExecutor(pool);
        AtomicInteger ran = new AtomicInteger();
        serial.execute(() -> {
            throw new IllegalStateException("boom");
        });
        serial.execute(ran::incrementAndGet);
        assertThat(serial.awaitIdle(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ran).hasValue(1);
    }
}
