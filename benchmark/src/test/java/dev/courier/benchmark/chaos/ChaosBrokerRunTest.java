package dev.courier.benchmark.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Short runs of the real harness: a broker, producers and consumers as processes, real faults.
 * A run with power-loss and disk-full needs the broker's simulated disk; without it they are left out.
 */
class ChaosBrokerRunTest {

    @TempDir
    Path dir;

    static boolean simulatedDisk() {
        return ChaosBroker.brokerHas(ChaosBroker.SIMULATE_DISK_CACHE)
                && ChaosBroker.brokerHas(ChaosBroker.DISK_QUOTA_FILE)
                && ChaosBroker.brokerHas(ChaosBroker.DISABLE_GROUP_FSYNC);
    }

    private ChaosBroker.Outcome run(ByteArrayOutputStream output, String... args) throws Exception {
        ChaosBroker harness = new ChaosBroker();
        new CommandLine(harness).parseArgs(args);
        return harness.output(new PrintStream(output, true, StandardCharsets.UTF_8))
                .run(harness.kinds());
    }

    @Test
    void nothingAcknowledgedIsLostThroughKillsPausesAndNetworkCuts() throws Exception {
        String faults = simulatedDisk() ? "kill,pause,net,power-loss,disk-full" : "kill,pause,net";
        ByteArrayOutputStream output = new ByteArrayOutputStream();

        // Seed 13 plans, in 30 s, net, kill, pause, kill from the first three kinds and power-loss, kill,
        // disk-full, pause from all five.
        ChaosBroker.Outcome outcome = run(
                output,
                "--duration",
                "30",
                "--faults",
                faults,
                "--seed",
                "13",
                "--producers",
                "2",
                "--consumers",
                "2",
                "--rate",
                "150",
                "--work-dir",
                dir.resolve("work").toString(),
                "--report",
                dir.resolve("report").toString());

        String text = output.toString(StandardCharsets.UTF_8);
        System.out.println(text);
        ChaosRun run = outcome.run();
        assertThat(run.totals().lost()).as("acknowledged, never delivered").isZero();
        assertThat(run.totals().unexpected()).as("delivered, never sent").isZero();
        assertThat(run.faults()).extracting(ChaosRun.Fault::kind).contains("kill", "pause");
        if (simulatedDisk()) {
            assertThat(run.faults()).extracting(ChaosRun.Fault::kind).contains("power-loss", "disk-full");
        }
        assertThat(run.totals().acknowledged()).isPositive();
        assertThat(run.totals().delivered()).isGreaterThanOrEqualTo(run.totals().acknowledged());
        assertThat(outcome.exitCode()).isZero();
        assertThat(run.brokerIncarnations()).as("a kill restarts the broker").isGreaterThan(1);

        List<String> lines = text.lines().toList();
        assertThat(lines.get(lines.size() - 1))
                .isEqualTo(run.chaosLine())
                .startsWith("CHAOS acknowledged=" + run.totals().acknowledged() + " delivered=");
        JsonNode json =
                new ObjectMapper().readTree(dir.resolve("report/chaos.json").toFile());
        assertThat(json.path("totals").path("lost").asLong(-1)).isZero();
        assertThat(json.path("faults").size()).isEqualTo(run.faults().size());
        assertThat(Files.readString(dir.resolve("report/index.html"))).contains("<svg", "Recovery");
        assertThat(ProcessHandle.current()
                        .children()
                        .filter(ProcessHandle::isAlive)
                        .toList())
                .as("every child process is gone")
                .isEmpty();
    }

    /** The mutation check: with the group flusher's fsync skipped, a power loss must show as loss. */
    @Test
    @EnabledIf("simulatedDisk")
    void aMissingFsyncShowsAsLossAfterPowerLosses() throws Exception {
        ByteArrayOutputStream output = new ByteArrayOutputStream();

        ChaosBroker.Outcome outcome = run(
                output,
                "--duration",
                "20",
                "--faults",
                "power-loss",
                "--seed",
                "5",
                "--producers",
                "1",
                "--consumers",
                "1",
                "--mutation",
                "no-group-fsync",
                "--drain-idle",
                "5",
                "--work-dir",
                dir.resolve("work").toString());

        System.out.println(output.toString(StandardCharsets.UTF_8));
        assertThat(outcome.run().faults()).isNotEmpty();
        assertThat(outcome.run().totals().lost()).isPositive();
        assertThat(outcome.exitCode()).isEqualTo(ChaosBroker.EXIT_INVALID);
    }

    @Test
    void anUnknownFaultOrAMissingBrokerFlagIsRefusedBeforeAnythingStarts() {
        assertThat(new CommandLine(new ChaosBroker()).execute("--faults", "flood", "--work-dir", dir.toString()))
                .isEqualTo(2);
        assertThat(new CommandLine(new ChaosBroker())
                        .execute("--faults", "kill", "--mutation", "no-fsync", "--work-dir", dir.toString()))
                .isEqualTo(2);
        if (!simulatedDisk()) {
            assertThat(new CommandLine(new ChaosBroker())
                            .execute("--faults", "power-loss", "--work-dir", dir.toString()))
                    .isEqualTo(2);
        }
        assertThat(dir).isEmptyDirectory();
    }
}
