package dev.courier.benchmark.chaos;

import java.util.List;
import java.util.Map;

/**
 * Everything a run found, as written to {@code chaos.json}. Times in milliseconds from the start of
 * the fault phase (when every producer had its first acknowledgement). Immutable.
 *
 * @param acksPerSecond      acknowledgements in each second of the run
 * @param brokerIncarnations broker processes started, the first one included
 * @param brokerExits        broker exits the harness did not cause (each one restarted)
 */
record ChaosRun(
        long seed,
        long durationSeconds,
        List<String> faultKinds,
        int producers,
        int consumers,
        int subscriptions,
        String mutation,
        boolean valid,
        Totals totals,
        Map<String, QueueChecker.Recovery> recovery,
        List<Fault> faults,
        List<Long> acksPerSecond,
        int brokerIncarnations,
        int brokerExits) {

    /**
     * The checker's counts (see {@link QueueChecker}).
     *
     * @param duplicateRate duplicate deliveries per distinct delivered message
     */
    record Totals(
            long attempted,
            long acknowledged,
            long delivered,
            long lost,
            long unexpected,
            long duplicated,
            double duplicateRate,
            long recovered,
            List<String> lostSamples,
            List<String> unexpectedSamples) {
        static Totals of(QueueChecker.Verdict v) {
            return new Totals(
                    v.attempted(),
                    v.acknowledged(),
                    v.delivered(),
                    v.lost(),
                    v.unexpected(),
                    v.duplicated(),
                    v.duplicateRate(),
                    v.recovered(),
                    v.lostSamples(),
                    v.unexpectedSamples());
        }
    }

    /**
     * One executed fault.
     *
     * @param recoveryMs from its end to the first acknowledgement after it; null if none came
     */
    record Fault(int index, String kind, long plannedStartMs, long startMs, long endMs, Long recoveryMs) {}

    /** The one line a script reads. */
    String chaosLine() {
        return "CHAOS acknowledged=" + totals.acknowledged() + " delivered=" + totals.delivered() + " lost="
                + totals.lost() + " unexpected=" + totals.unexpected() + " duplicated=" + totals.duplicated()
                + " faults=" + faults.size();
    }
}
