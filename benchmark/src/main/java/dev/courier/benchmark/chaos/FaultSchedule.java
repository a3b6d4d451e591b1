package dev.courier.benchmark.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The faults of one run, drawn from a seed before the run starts, so the same seed, fault kinds,
 * duration and session timeout give the same schedule. Kinds are taken in rounds, each round a seeded
 * shuffle of every requested kind, so each kind comes up before any repeats. A fault starts a seeded
 * gap after the previous one ended; one that would not end within the run is not scheduled. The
 * harness starts each fault at its planned time, or later when the previous one ended late (a restart
 * takes what it takes), keeping the planned gap.
 *
 * <p>Immutable and thread-safe.
 *
 * @param faults in start order
 */
record FaultSchedule(List<Planned> faults) {

    /** Quiet time before each fault, so the previous one's recovery is measured undisturbed. */
    static final long MIN_GAP_MILLIS = 3_000;

    static final long MAX_GAP_MILLIS = 7_000;
    /** A pause outlasts the session timeout by this much at least (and at most twice this). */
    static final long PAUSE_BEYOND_SESSION_MILLIS = 1_000;
    /** Length range of a network cut or a full disk. */
    static final long MIN_OUTAGE_MILLIS = 2_000;

    static final long MAX_OUTAGE_MILLIS = 5_000;

    FaultSchedule {
        faults = List.copyOf(faults);
    }

    /**
     * One planned fault.
     *
     * @param index       its place in the schedule, from 0
     * @param kind        what is done
     * @param startMillis when it starts, from the start of the run
     * @param lengthMillis how long it lasts (0 for a kill: the broker is restarted at once)
     */
    record Planned(int index, FaultKind kind, long startMillis, long lengthMillis) {
        long endMillis() {
            return startMillis + lengthMillis;
        }
    }

    static FaultSchedule plan(long seed, List<FaultKind> kinds, Duration duration, Duration sessionTimeout) {
        if (kinds.isEmpty()) {
            throw new IllegalArgumentException("No fault kinds");
        }
        Random random = new Random(seed);
        List<Planned> planned = new ArrayList<>();
        List<FaultKind> round = new ArrayList<>();
        long t = 0;
        while (true) {
            if (round.isEmpty()) {
                round.addAll(kinds.stream().distinct().toList());
                Collections.shuffle(round, random);
            }
            FaultKind kind = round.remove(0);
            long start = t + between(random, MIN_GAP_MILLIS, MAX_GAP_MILLIS);
            long length = switch (kind) {
                case KILL, POWER_LOSS -> 0;
                case PAUSE ->
                    sessionTimeout.toMillis()
                            + between(random, PAUSE_BEYOND_SESSION_MILLIS, 2 * PAUSE_BEYOND_SESSION_MILLIS);
                case NET, DISK_FULL -> between(random, MIN_OUTAGE_MILLIS, MAX_OUTAGE_MILLIS);
            };
            if (start + length > duration.toMillis()) {
                return new FaultSchedule(planned);
            }
            planned.add(new Planned(planned.size(), kind, start, length));
            t = start + length;
        }
    }

    private static long between(Random random, long min, long max) {
        return min + (long) (random.nextDouble() * (max - min));
    }
}
