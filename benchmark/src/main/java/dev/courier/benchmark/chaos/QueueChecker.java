package dev.courier.benchmark.chaos;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks a run's whole history as Jepsen's total-queue checker does, once per subscription (each one
 * must deliver every message):
 * <ul>
 *   <li><b>lost</b>: acknowledged to its producer, never delivered;</li>
 *   <li><b>unexpected</b>: a delivery of an id no producer ever attempted;</li>
 *   <li><b>duplicated</b>: deliveries beyond the first of an attempted id;</li>
 *   <li><b>recovered</b>: delivered although its producer never saw the acknowledgement (allowed);</li>
 *   <li><b>delivered</b>: distinct attempted ids delivered.</li>
 * </ul>
 * Counts are summed over the subscriptions; {@code acknowledged} and {@code attempted} count messages.
 * The history is valid when nothing is lost and nothing is unexpected. Stateless.
 */
final class QueueChecker {

    /** The most ids of each kind a verdict lists. */
    static final int SAMPLES = 20;

    private QueueChecker() {}

    /**
     * The verdict on one history.
     *
     * @param lostSamples       the first lost ids, {@code subscription/id}, sorted
     * @param unexpectedSamples the first unexpected ids, {@code subscription/id}, sorted
     */
    record Verdict(
            long attempted,
            long acknowledged,
            long delivered,
            long lost,
            long unexpected,
            long duplicated,
            long recovered,
            List<String> lostSamples,
            List<String> unexpectedSamples) {

        boolean valid() {
            return lost == 0 && unexpected == 0;
        }

        /** Duplicate deliveries per distinct delivered message. */
        double duplicateRate() {
            return delivered == 0 ? 0 : (double) duplicated / delivered;
        }
    }

    static Verdict check(History h) {
        Set<String> attempted = h.attempted();
        Map<String, Long> acked = h.acknowledged();
        long delivered = 0;
        long lost = 0;
        long unexpected = 0;
        long duplicated = 0;
        long recovered = 0;
        TreeSet<String> lostIds = new TreeSet<>();
        TreeSet<String> unexpectedIds = new TreeSet<>();
        for (Map.Entry<String, List<String>> e : h.deliveries().entrySet()) {
            String sub = e.getKey();
            Map<String, Integer> counts = new HashMap<>();
            for (String id : e.getValue()) {
                counts.merge(id, 1, Integer::sum);
            }
            for (Map.Entry<String, Integer> c : counts.entrySet()) {
                String id = c.getKey();
                if (!attempted.contains(id)) {
                    unexpected += c.getValue();
                    sample(unexpectedIds, sub + "/" + id);
                    continue;
                }
                delivered++;
                duplicated += c.getValue() - 1;
                if (!acked.containsKey(id)) {
                    recovered++;
                }
            }
            for (String id : acked.keySet()) {
                if (!counts.containsKey(id)) {
                    lost++;
                    sample(lostIds, sub + "/" + id);
                }
            }
        }
        // An acknowledgement of a message never attempted would be a harness bug, not a broker's: count it as
        // unexpected.
        for (String id : acked.keySet()) {
            if (!attempted.contains(id)) {
                unexpected++;
                sample(unexpectedIds, "ack/" + id);
            }
        }
        return new Verdict(
                attempted.size(),
                acked.size(),
                delivered,
                lost,
                unexpected,
                duplicated,
                recovered,
                new ArrayList<>(lostIds),
                new ArrayList<>(unexpectedIds));
    }

    private static void sample(TreeSet<String> ids, String id) {
        ids.add(id);
        if (ids.size() > SAMPLES) {
            ids.pollLast();
        }
    }

    /**
     * Time from {@code faultEndMicros} until the first acknowledgement after it, in milliseconds; empty
     * if none came.
     *
     * @param ackTimes acknowledgement times in epoch micros, ascending
     */
    static OptionalLong recoveryMillis(long faultEndMicros, long[] ackTimes) {
        int i = Arrays.binarySearch(ackTimes, faultEndMicros);
        i = i >= 0 ? i : -i - 1;
        while (i < ackTimes.length && ackTimes[i] <= faultEndMicros) {
            i++;
        }
        return i < ackTimes.length
                ? OptionalLong.of((ackTimes[i] - faultEndMicros + 500) / 1000)
                : OptionalLong.empty();
    }

    /**
     * Recovery figures of one kind of fault.
     *
     * @param count       faults of this kind
     * @param recovered   how many of them were followed by an acknowledgement
     * @param p50Millis   median recovery (nearest rank), -1 if none recovered
     * @param maxMillis   longest recovery, -1 if none recovered
     */
    record Recovery(int count, int recovered, long p50Millis, long maxMillis) {
        static Recovery of(List<OptionalLong> recoveries) {
            long[] ms = recoveries.stream()
                    .filter(OptionalLong::isPresent)
                    .mapToLong(OptionalLong::getAsLong)
                    .sorted()
                    .toArray();
            if (ms.length == 0) {
                return new Recovery(recoveries.size(), 0, -1, -1);
            }
            int rank = (int) Math.ceil(ms.length * 0.5) - 1;
            return new Recovery(recoveries.size(), ms.length, ms[rank], ms[ms.length - 1]);
        }
    }
}
