package dev.courier.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

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
    void aWokenQueryIsAnsweredOffTheLockAndLeavesNoTimeoutBehind() throws Exception {
        AtomicInteger computed = new AtomicInteger();
        CompletableFuture<String> a;
        CompletableFuture<String> b;
        synchronized (lock) {
            a = parked.park("a", () -> "a@" + computed.incrementAndGet(), 60_000);
            b = parked.park("b", () -> "b", 60_000);
            assertThat(timer.getQueue()).hasSize(2);
            parked.wake("a"::equals);
            assertThat(parked.size()).isEqualTo(1);
        }
        CompletableFuture<Thread> completedOn = a.thenApply(v -> Thread.currentThread());
        assertThat(a.get(10, TimeUnit.SECONDS)).isEqualTo("a@1");
        assertThat(completedOn.get(10, TimeUnit.SECONDS).getName()).isEqualTo("answers");
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
