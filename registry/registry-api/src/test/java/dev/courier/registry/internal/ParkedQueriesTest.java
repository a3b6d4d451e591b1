package dev.courier.registry.internal;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class ParkedQueriesTest {

    private final Object lock = new Object();
    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
    private final ExecutorService answers = Executors.newSingleThreadExecutor(r -> new Thread(r, "answers"));
    private final ParkedQueries<String, String> parked;

    ParkedQueriesTest() {
        timer.setRemoveOnCancelPolicy(true);
        parked = new ParkedQueries<>(lock, timer, answers);
    }

    @AfterEach
    void stop() {
        timer.shutdownNow();
        answers.shutdownNow();
    }

    @Test
    void aWokenQueryIsAnsweredOffTheLockAndLeavesNoTimeoutBehind() {
        List<Runnable> handedToExecutor = new java.util.ArrayList<>();
        ParkedQueries<String, String> queries = new ParkedQueries<>(lock, timer, handedToExecutor::add);
        AtomicInteger computed = new AtomicInteger();
        CompletableFuture<String> a;
        CompletableFuture<String> b;
        synchronized (lock) {
            a = queries.park(
                    "a",
                    () -> "a@" + computed.incrementAndGet() + (Thread.holdsLock(lock) ? " under the lock" : ""),
                    60_000);
            b = queries.park("b", () -> "b", 60_000);
            assertThat(timer.getQueue()).hasSize(2);
            queries.wake("a"::equals);
            assertThat(queries.size()).isEqualTo(1);
            assertThat(a).as("not completed while the lock is held").isNotDone();
        }
        assertThat(handedToExecutor).hasSize(1);
        handedToExecutor.forEach(Runnable::run);
        // the answer is computed under the lock (from the state), completed by the executor
        assertThat(a).isCompletedWithValue("a@1 under the lock");
        assertThat(timer.getQueue()).hasSize(1); // a's timeout is gone; b's waits
        assertThat(b).isNotDone();
        assertThat(computed).hasValue(1);
    }

    @Test
    void aQueryNothingWakesIsAnsweredWhenItsWaitElapses() throws Exception {
        CompletableFuture<String> f;
        synchronized (lock) {
            f = parked.park("a", () -> "as it is", 50);
            parked.wake("b"::equals);
        }
        assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo("as it is");
        synchronized (lock) {
            assertThat(parked.size()).isZero();
        }
    }

    @Test
    void removeAllHandsBackEveryQueryWithItsTimeoutCancelled() {
        List<CompletableFuture<String>> taken;
        synchronized (lock) {
            parked.park("a", () -> "a", 60_000);
            parked.park("b", () -> "b", 60_000);
            taken = parked.removeAll();
            assertThat(parked.size()).isZero();
        }
        assertThat(taken).hasSize(2).noneMatch(CompletableFuture::isDone);
        assertThat(timer.getQueue()).isEmpty();
    }
}
