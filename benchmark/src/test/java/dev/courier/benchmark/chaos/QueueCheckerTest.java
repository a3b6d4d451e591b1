package dev.courier.benchmark.chaos;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

class QueueCheckerTest {

    private static History acked(String... ids) {
        History h = new History().subscription("s0");
        for (int i = 0; i < ids.length; i++) {
            h.attempt(ids[i]).ack(ids[i], 1_000L * (i + 1));
        }
        return h;
    }

    @Test
    void everyAcknowledgedMessageDeliveredOnceIsValid() {
        History h = acked("a", "b", "c").deliver("s0", "c").deliver("s0", "a").deliver("s0", "b");

        QueueChecker.Verdict v = QueueChecker.check(h);

        assertThat(v.valid()).isTrue();
        assertThat(v)
                .extracting("attempted", "acknowledged", "delivered", "lost", "unexpected", "duplicated", "recovered")
                .containsExactly(3L, 3L, 3L, 0L, 0L, 0L, 0L);
    }

    @Test
    void anAcknowledgedMessageNeverDeliveredIsLost() {
        History h = acked("a", "b", "c", "d").deliver("s0", "a").deliver("s0", "c");

        QueueChecker.Verdict v = QueueChecker.check(h);

        assertThat(v.valid()).isFalse();
        assertThat(v.lost()).isEqualTo(2);
        assertThat(v.lostSamples()).containsExactly("s0/b", "s0/d");
        assertThat(v.delivered()).isEqualTo(2);
    }

    @Test
    void aMessageAttemptedButNeverAcknowledgedMayBeMissingOrDelivered() {
        History h = acked("a")
                .attempt("maybe-stored")
                .attempt("never-stored")
                .deliver("s0", "a")
                .deliver("s0", "maybe-stored");

        QueueChecker.Verdict v = QueueChecker.check(h);

        assertThat(v.valid()).isTrue();
        assertThat(v.lost()).isZero();
        assertThat(v.recovered())
                .as("delivered though its producer never saw the ack")
                .isEqualTo(1);
        assertThat(v.delivered()).isEqualTo(2);
    }

    @Test
    void aDeliveryOfAnIdNoProducerAttemptedIsUnexpected() {
        History h = acked("a").deliver("s0", "a").deliver("s0", "ghost").deliver("s0", "ghost");

        QueueChecker.Verdict v = QueueChecker.check(h);

        assertThat(v.valid()).isFalse();
        assertThat(v.unexpected()).as("each delivery of it").isEqualTo(2);
        assertThat(v.unexpectedSamples()).containsExactly("s0/ghost");
        assertThat(v.delivered()).as("only attempted ids count as delivered").isEqualTo(1);
        assertThat(v.duplicated()).isZero();
    }

    @Test
    void deliveriesBeyondTheFirstAreDuplicates() {
        History h = acked("a", "b")
                .deliver("s0", "a")
                .deliver("s0", "b")
                .deliver("s0", "a")
                .deliver("s0", "a");

        QueueChecker.Verdict v = QueueChecker.check(h);

        assertThat(v.valid()).isTrue();
        assertThat(v.duplicated()).isEqualTo(2);
        assertThat(v.delivered()).isEqualTo(2);
        assertThat(v.duplicateRate()).isEqualTo(1.0);
    }

    @Test
    void everySubscriptionMustDeliverEveryMessage() {
        History h = acked("a", "b")
                .subscription("s1")
                .deliver("s0", "a")
                .deliver("s0", "b")
                .deliver("s1", "b");

        QueueChecker.Verdict v = QueueChecker.check(h);

        assertThat(v.lost()).isEqualTo(1);
        assertThat(v.lostSamples()).containsExactly("s1/a");
        assertThat(v.delivered()).isEqualTo(3);
    }

    @Test
    void aSubscriptionThatDeliveredNothingLosesEverything() {
        QueueChecker.Verdict v = QueueChecker.check(acked("a", "b"));

        assertThat(v.lost()).isEqualTo(2);
    }

    @Test
    void recoveryIsTheTimeToTheFirstAcknowledgementAfterTheFaultEnded() {
        long[] acks = {1_000, 5_000, 9_000, 9_500};

        assertThat(QueueChecker.recoveryMillis(5_000, acks))
                .as("an ack at the very end time is before it")
                .isEqualTo(OptionalLong.of(4));
        assertThat(QueueChecker.recoveryMillis(0, acks)).isEqualTo(OptionalLong.of(1));
        assertThat(QueueChecker.recoveryMillis(6_000, acks)).isEqualTo(OptionalLong.of(3));
        assertThat(QueueChecker.recoveryMillis(9_500, acks)).isEmpty();
    }

    @Test
    void recoveryFiguresPerKindAreMedianAndMaxOfThoseThatRecovered() {
        QueueChecker.Recovery r = QueueChecker.Recovery.of(
                List.of(OptionalLong.of(300), OptionalLong.of(100), OptionalLong.empty(), OptionalLong.of(200)));

        assertThat(r).isEqualTo(new QueueChecker.Recovery(4, 3, 200, 300));
        assertThat(QueueChecker.Recovery.of(List.of(OptionalLong.empty())))
                .isEqualTo(new QueueChecker.Recovery(1, 0, -1, -1));
    }
}
