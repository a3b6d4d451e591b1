package dev.courier.registry.coordination.internal;

import dev.courier.registry.RegistryException;
import dev.courier.registry.coordination.ClockMovedBackwardsException;
import dev.courier.registry.coordination.IdGenerator;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Snowflake ids, laid out as
 * <pre>
 *   bit 63   62 ........ 22   21 ..... 12   11 ...... 0
 *     0      milliseconds      worker id     sequence
 *            since EPOCH       (10 bits)     (12 bits)
 *            (41 bits)
 * </pre>
 * <p><b>Worker ids</b> are locks {@code worker/<n>} of the coordination's session: no two live processes
 * hold the same one. When the session lapses, the generator stops using its worker id at once (the
 * grant stops holding before the registry could give the id to another process) and takes a new one.
 *
 * <p><b>Clocks.</b> The holder of worker {@code n} keeps counter {@code worker-clock/<n>} at or above
 * every millisecond it may use (it raises it {@value #RESERVE_AHEAD_MILLIS} ms ahead, before using
 * milliseconds beyond it), and a new holder starts above it. So a holder whose clock is behind the last
 * one's never repeats its ids. A clock that steps back by at most the tolerated step is waited out; a
 * larger step fails with {@link ClockMovedBackwardsException}, never a repeated id.
 *
 * <p>Thread-safe: {@link #nextId()} is synchronized.
 */
final class SnowflakeIds implements IdGenerator {

    /** 2026-01-01T00:00:00Z. */
    static final long EPOCH = 1_767_225_600_000L;

    static final int WORKER_BITS = 10;
    static final int SEQUENCE_BITS = 12;
    static final int WORKERS = 1 << WORKER_BITS;
    static final long SEQUENCE_MASK = (1L << SEQUENCE_BITS) - 1;
    static final long DEFAULT_TOLERATED_BACKSTEP_MILLIS = 10;
    static final long RESERVE_AHEAD_MILLIS = 2_000;

    private final StandardCoordination coordination;
    private final LongSupplier clock;
    private final long toleratedBackstep;
    private Grant worker;
    private long workerId;
    private long lastMillis = -1;
    private long sequence;
    private long reservedUntil = -1;

    private final java.util.function.IntSupplier firstWorkerToTry;

    SnowflakeIds(StandardCoordination coordination, LongSupplier clock, long toleratedBackstepMillis) {
        this(
                coordination,
                clock,
                toleratedBackstepMillis,
                () -> ThreadLocalRandom.current().nextInt(WORKERS));
    }

    /** As above, trying worker ids from {@code firstWorkerToTry} on (tests pick the worker). */
    SnowflakeIds(
            StandardCoordination coordination,
            LongSupplier clock,
            long toleratedBackstepMillis,
            java.util.function.IntSupplier firstWorkerToTry) {
        this.coordination = coordination;
        this.clock = clock;
        this.toleratedBackstep = toleratedBackstepMillis;
        this.firstWorkerToTry = firstWorkerToTry;
    }

    /** The worker id in use, or -1 before the first id. */
    synchronized long workerId() {
        return worker == null ? -1 : workerId;
    }

    @Override
    public synchronized long nextId() {
        while (true) {
            ensureWorker();
            long now = millis();
            if (now == lastMillis) {
                sequence = (sequence + 1) & SEQUENCE_MASK;
                if (sequence == 0) {
                    now = nextMillis(lastMillis);
                }
            } else {
                sequence = 0;
            }
            if (now > reservedUntil) {
                reserve(now + RESERVE_AHEAD_MILLIS);
            }
            lastMillis = now;
            if (!worker.isHeld()) {
                continue; // the session lapsed while this id was made: it may not be used
            }
            return ((now - EPOCH) << (WORKER_BITS + SEQUENCE_BITS)) | (workerId << SEQUENCE_BITS) | sequence;
        }
    }

    /** The clock, at or after {@code lastMillis}: a small step back is waited out, a large one fails. */
    private long millis() {
        long now = clock.getAsLong();
        if (now >= lastMillis) {
            return now;
        }
        long back = lastMillis - now;
        if (back > toleratedBackstep) {
            throw new ClockMovedBackwardsException(back, toleratedBackstep);
        }
        return nextMillis(lastMillis - 1);
    }

    /** Waits for the clock to pass {@code after}. */
    private long nextMillis(long after) {
        long now = clock.getAsLong();
        while (now <= after) {
            if (after - now > toleratedBackstep) {
                throw new ClockMovedBackwardsException(after - now, toleratedBackstep);
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
            now = clock.getAsLong();
        }
        return now;
    }

    private void ensureWorker() {
        if (worker != null && worker.isHeld()) {
            return;
        }
        if (worker != null) {
            worker.close();
            worker = null;
        }
        int start = firstWorkerToTry.getAsInt();
        for (int i = 0; i < WORKERS; i++) {
            int n = (start + i) % WORKERS;
            Grant g;
            try {
                g = coordination.acquire("worker/" + n, Owner.NAME, Duration.ZERO);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryException("interrupted while leasing a snowflake worker id", e);
            }
            if (g == null) {
                continue;
            }
            long floor = coordination.backend.addAndGet(clockCounter(n), 0);
            if (floor >= clock.getAsLong()) {
                g.close(); // its last holder may still have used it in the past few seconds of this clock
                continue;
            }
            worker = g;
            workerId = n;
            if (floor >= lastMillis) { // everything up to floor may have been used by an earlier holder of n
                lastMillis = floor;
                sequence = SEQUENCE_MASK;
            }
            reservedUntil = floor;
            return;
        }
        throw new RegistryException(
                "none of the " + WORKERS + " snowflake worker ids is free with a clock reservation behind this clock");
    }

    /** Raises this worker's clock counter to {@code until} (no other process holds the worker). */
    private void reserve(long until) {
        String counter = clockCounter(workerId);
        long current = coordination.backend.addAndGet(counter, 0);
        if (until > current) {
            coordination.backend.addAndGet(counter, until - current);
        }
        reservedUntil = until;
    }

    private static String clockCounter(long n) {
        return "worker-clock/" + n;
    }
}
