package dev.courier.rpc.internal.server;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class InFlightTest {

    @Test
    void noCallEntersOnceDrainingHasBegun() {
        InFlight inFlight = new InFlight();
        assertThat(inFlight.tryEnter()).isTrue();
        inFlight.startDraining();

        assertThat(inFlight.tryEnter()).isFalse();
        assertThat(inFlight.running()).isEqualTo(1); // the refused call left no count behind
    }

    @Test
    void aDrainWaitsForTheCallsThatEnteredAndTimesOutOnOneThatStays() throws Exception {
        InFlight inFlight = new InFlight();
        assertThat(inFlight.tryEnter()).isTrue();
        CountDownLatch draining = new CountDownLatch(1);
        CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(() -> {
            draining.countDown();
            return inFlight.drain(30, TimeUnit.SECONDS);
        });
        assertThat(draining.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(drained).isNotDone();
        inFlight.exit();
        assertThat(drained.get(30, TimeUnit.SECONDS)).isTrue();

        assertThat(new InFlight().tryEnter()).isTrue();
        InFlight stuck = new InFlight();
        assertThat(stuck.tryEnter()).isTrue();
        assertThat(stuck.drain(20, TimeUnit.MILLISECONDS)).isFalse();
    }

    /**
     * Callers racing a drain: every call either was refused or was counted before the drain looked, so
     * when the drain finds nothing running, no call is left running.
     */
    @Test
    void aDrainThatFoundNothingRunningHasNoCallStartedBehindIt() throws Exception {
        for (int round = 0; round < 200; round++) {
            InFlight inFlight = new InFlight();
            java.util.concurrent.atomic.AtomicInteger startedAfterDrain =
                    new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicBoolean drainReturned = new java.util.concurrent.atomic.AtomicBoolean();
            CountDownLatch go = new CountDownLatch(1);
            Thread caller = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 100; i++) {
                    if (inFlight.tryEnter()) {
                        if (drainReturned.get()) {
                            startedAfterDrain.incrementAndGet();
                        }
                        inFlight.exit();
                    }
                }
            });
            caller.start();
            go.countDown();
            assertThat(inFlight.drain(10, TimeUnit.SECONDS)).isTrue();
            drainReturned.set(true);
            caller.join();
            assertThat(startedAfterDrain).hasValue(0);
        }
    }
}
