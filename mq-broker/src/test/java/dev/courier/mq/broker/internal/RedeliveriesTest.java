package dev.courier.mq.broker.internal;

import dev.courier.mq.broker.internal.Redeliveries.Pending;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** In-flight deliveries and the redelivery queue, on a clock given by hand. */
class RedeliveriesTest {

    private final Redeliveries r = new Redeliveries(Duration.ofMillis(100), Duration.ofMillis(1_000));

    private static List<Long> offsets(List<Pending> due) {
        return due.stream().map(Pending::offset).toList();
    }

    @Test
    void aNackWithoutDelayBacksOffExponentiallyPerDeliveryUpToTheMaximum() {
        for (int deliveries = 1; deliveries <= 5; deliveries++) {
            r.hold(deliveries, "c1", deliveries, 10_000);
            r.nacked(r.held(deliveries), 0, "failed", 0);
        }
        // 100, 200, 400, 800, then capped at 1000 ms
        assertThat(offsets(r.due(99, 10, o -> false))).isEmpty();
        assertThat(offsets(r.due(100, 10, o -> false))).containsExactly(1L);
        assertThat(offsets(r.due(400, 10, o -> false))).containsExactly(1L, 2L, 3L);
        assertThat(offsets(r.due(999, 10, o -> false))).containsExactly(1L, 2L, 3L, 4L);
        assertThat(offsets(r.due(1_000, 10, o -> false))).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(r.inFlightCount()).isZero();
    }

    @Test
    void aNackedDelayIsTheConsumersAndTheLastHolderMayStillAcknowledge() {
        r.hold(7, "c1", 1, 10_000);
        r.nacked(r.held(7), 5_000, "later", 0);
        assertThat(r.anyDue(4_999)).isFalse();
        assertThat(r.anyDue(5_000)).isTrue();
        assertThat(r.lastHeldBy(7, "c1")).isTrue();
        assertThat(r.lastHeldBy(7, "c2")).isFalse();
        assertThat(r.lastHeldBy(8, "c1")).isFalse();
    }

    @Test
    void aPassedAckDeadlineIsDueAtOnceAndAnExtensionMovesIt() {
        r.hold(1, "c1", 1, 100);
        r.hold(2, "c2", 1, 100);
        assertThat(r.extend("c1", new long[] {1, 2}, 500)).as("only its own").isEqualTo(1);
        assertThat(r.expire(99)).isEmpty();
        assertThat(r.expire(100)).extracting(h -> h.offset).containsExactly(2L);
        assertThat(r.isInFlight(1)).isTrue();
        assertThat(r.isInFlight(2)).isFalse();
        List<Pending> due = r.due(100, 10, o -> false);
        assertThat(due)
                .extracting(Pending::offset, Pending::reason, Pending::lastHolder)
                .containsExactly(tuple(2L, "ack deadline passed", "c2"));
        assertThat(r.expire(500)).extracting(h -> h.offset).containsExactly(1L);
    }

    @Test
    void aLeavingConsumersDeliveriesAreDueAtOnceAndOthersStayInFlight() {
        r.hold(1, "c1", 1, 10_000);
        r.hold(2, "c2", 1, 10_000);
        r.hold(3, "c1", 2, 10_000);
        assertThat(r.left("c1", "gone", 50)).isEqualTo(2);
        assertThat(offsets(r.due(50, 10, o -> false))).containsExactly(1L, 3L);
        assertThat(r.inFlightCount()).isEqualTo(1);
        assertThat(r.held(2).consumerId).isEqualTo("c2");
    }

    @Test
    void dueDropsSettledAndInFlightOffsetsAndStopsAtTheLimit() {
        for (long o = 1; o <= 4; o++) {
            r.hold(o, "c1", 1, 0);
        }
        r.expire(0);
        r.hold(3, "c2", 2, 10_000); // delivered again meanwhile
        List<Pending> due = r.due(0, 1, o -> o == 1);
        assertThat(offsets(due)).as("1 is settled, then the limit").containsExactly(2L);
        assertThat(r.isPending(due.get(0))).as("stays pending until taken").isTrue();
        r.dequeue(due.get(0));
        assertThat(offsets(r.due(0, 10, o -> o == 1)))
                .as("3 is in flight: dropped")
                .containsExactly(4L);
        assertThat(offsets(r.due(0, 10, o -> false))).containsExactly(4L);
    }

    @Test
    void aFailedDeadLetterIsDueAfterTheLongestBackoffWithNoHolder() {
        r.retry(9, 5, "dead-letter topic failed", 0);
        assertThat(r.anyDue(999)).isFalse();
        assertThat(r.due(1_000, 10, o -> false))
                .extracting(Pending::offset, Pending::deliveries, Pending::lastHolder)
                .containsExactly(tuple(9L, 5, null));
        assertThat(r.lastHeldBy(9, "c1")).isFalse();
    }
}
