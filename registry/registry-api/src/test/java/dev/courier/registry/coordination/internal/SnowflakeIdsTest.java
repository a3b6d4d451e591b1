package dev.courier.registry.coordination.internal;

import dev.courier.registry.coordination.ClockMovedBackwardsException;
import dev.courier.registry.internal.EmbeddedLeaseBackend;
import dev.courier.registry.internal.LeaseCoordinationBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Snowflake ids against a clock the test sets: steps back, and a worker id taken over from a clock ahead. */
class SnowflakeIdsTest {

    private static final long T = SnowflakeIds.EPOCH + 1_000_000;

    private final EmbeddedLeaseBackend store = new EmbeddedLeaseBackend();
    private final LeaseCoordinationBackend backend = new LeaseCoordinationBackend(store);
    private final AtomicLong now = new AtomicLong(T);
    /** How far each read of the clock moves it on (0: it stands still). */
    private final AtomicLong tick = new AtomicLong();

    private final StandardCoordination coordination =
            new StandardCoordination(backend, Duration.ofSeconds(10), () -> {}, () -> now.getAndAdd(tick.get()));

    @AfterEach
    void close() {
        coordination.close();
        store.close();
    }

    private static long millisOf(long id) {
        return (id >>> (SnowflakeIds.WORKER_BITS + SnowflakeIds.SEQUENCE_BITS)) + SnowflakeIds.EPOCH;
    }

    @Test
    void idsCarryTheTimeTheWorkerAndASequence() {
        SnowflakeIds ids = new SnowflakeIds(coordination, () -> now.get(), 10, () -> 7);
        long first = ids.nextId();
        long second = ids.nextId();
        assertThat(millisOf(first)).isEqualTo(T);
        assertThat((first >>> SnowflakeIds.SEQUENCE_BITS) & (SnowflakeIds.WORKERS - 1))
                .isEqualTo(7);
        assertThat(second).isEqualTo(first + 1);
        assertThat(ids.workerId()).isEqualTo(7);
    }

    @Test
    void aFullSequenceWaitsForTheNextMillisecond() {
        SnowflakeIds ids = new SnowflakeIds(coordination, () -> now.getAndAdd(tick.get()), 10, () -> 3);
        long last = 0;
        for (int i = 0; i <= SnowflakeIds.SEQUENCE_MASK; i++) {
            last = ids.nextId();
        }
        assertThat(millisOf(last)).isEqualTo(T);
        tick.set(1); // the clock moves only while the generator waits for it
        long next = ids.nextId();
        assertThat(next).isGreaterThan(last);
        assertThat(millisOf(next)).isGreaterThan(T);
    }

    @Test
    void aSmallStepBackIsWaitedOutAndNoIdRepeats() {
        SnowflakeIds ids = new SnowflakeIds(coordination, () -> now.getAndAdd(tick.get()), 10, () -> 1);
        long before = ids.nextId();
        now.set(T - 5); // back 5 ms, then forward 1 ms per read
        tick.set(1);
        long after = ids.nextId();
        assertThat(after).isGreaterThan(before);
        assertThat(millisOf(after)).isGreaterThanOrEqualTo(T);
    }

    @Test
    void aLargeStepBackFailsWithATypedErrorUntilTheClockCatchesUp() {
        SnowflakeIds ids = new SnowflakeIds(coordination, () -> now.get(), 10, () -> 2);
        long before = ids.nextId();
        now.set(T - 1_000);
        assertThatThrownBy(ids::nextId)
                .isInstanceOf(ClockMovedBackwardsException.class)
                .satisfies(e -> assertThat(((ClockMovedBackwardsException) e).backwardsMillis())
                        .isEqualTo(1_000));
        now.set(T + 1);
        assertThat(ids.nextId()).isGreaterThan(before);
    }

    @Test
    void aWorkerIdLastUsedByAClockAheadIsPassedOverSoNoIdRepeats() {
        SnowflakeIds ahead = new SnowflakeIds(coordination, () -> now.get(), 10, () -> 5);
        ahead.nextId(); // worker 5 reserves up to T + RESERVE_AHEAD
        coordination.close(); // gives worker 5 back

        StandardCoordination other = new StandardCoordination(backend, Duration.ofSeconds(10), () -> {}, () -> T - 500);
        try {
            // a process whose clock is half a second behind tries worker 5 first, and must not take it
            SnowflakeIds behind = new SnowflakeIds(other, () -> T - 500, 10, () -> 5);
            behind.nextId();
            assertThat(behind.workerId()).isEqualTo(6);
        } finally {
            other.close();
        }
    }
}
