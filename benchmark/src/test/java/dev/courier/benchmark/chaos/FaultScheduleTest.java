package dev.courier.benchmark.chaos;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;

import static dev.courier.benchmark.chaos.FaultKind.KILL;
import static dev.courier.benchmark.chaos.FaultKind.NET;
import static dev.courier.benchmark.chaos.FaultKind.PAUSE;
import static dev.courier.benchmark.chaos.FaultKind.POWER_LOSS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FaultScheduleTest {

    private static final List<FaultKind> ALL = List.of(FaultKind.values());
    private static final Duration SESSION = Duration.ofSeconds(3);

    @Test
    void theSameSeedReplaysTheSameSchedule() {
        FaultSchedule a = FaultSchedule.plan(42, ALL, Duration.ofSeconds(120), SESSION);
        FaultSchedule b = FaultSchedule.plan(42, ALL, Duration.ofSeconds(120), SESSION);
        FaultSchedule other = FaultSchedule.plan(43, ALL, Duration.ofSeconds(120), SESSION);

        assertThat(a.faults()).hasSizeGreaterThan(5);
        assertThat(b).isEqualTo(a);
        assertThat(other).isNotEqualTo(a);
    }

    @Test
    void everyKindComesUpBeforeAnyRepeats() {
        for (long seed = 0; seed < 20; seed++) {
            List<FaultSchedule.Planned> f = FaultSchedule.plan(seed, ALL, Duration.ofSeconds(600), SESSION)
                    .faults();
            EnumSet<FaultKind> firstRound = EnumSet.noneOf(FaultKind.class);
            f.subList(0, ALL.size()).forEach(p -> firstRound.add(p.kind()));
            assertThat(firstRound).as("seed %d", seed).containsExactlyInAnyOrderElementsOf(ALL);
        }
    }

    @Test
    void faultsAreSpacedFitTheRunAndPausesOutlastTheSession() {
        Duration run = Duration.ofSeconds(300);
        List<FaultSchedule.Planned> faults =
                FaultSchedule.plan(7, List.of(PAUSE, NET, KILL), run, SESSION).faults();

        long previousEnd = 0;
        for (FaultSchedule.Planned f : faults) {
            assertThat(f.startMillis() - previousEnd)
                    .isBetween(FaultSchedule.MIN_GAP_MILLIS, FaultSchedule.MAX_GAP_MILLIS);
            assertThat(f.kind()).isIn(PAUSE, NET, KILL);
            switch (f.kind()) {
                case PAUSE -> assertThat(f.lengthMillis()).isGreaterThan(SESSION.toMillis());
                case KILL -> assertThat(f.lengthMillis()).isZero();
                default -> assertThat(f.lengthMillis()).isPositive();
            }
            previousEnd = f.endMillis();
        }
        assertThat(previousEnd).isLessThanOrEqualTo(run.toMillis());
        assertThat(faults.get(faults.size() - 1).index()).isEqualTo(faults.size() - 1);
    }

    @Test
    void aRunTooShortForAnyFaultHasNone() {
        assertThat(FaultSchedule.plan(1, ALL, Duration.ofMillis(FaultSchedule.MIN_GAP_MILLIS - 1), SESSION)
                        .faults())
                .isEmpty();
        assertThatThrownBy(() -> FaultSchedule.plan(1, List.of(), Duration.ofSeconds(10), SESSION))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void faultNamesParseAsOnTheCommandLine() {
        assertThat(FaultKind.parse(" Power-Loss")).isEqualTo(POWER_LOSS);
        assertThatThrownBy(() -> FaultKind.parse("flood")).hasMessageContaining("known: kill, pause");
    }
}
