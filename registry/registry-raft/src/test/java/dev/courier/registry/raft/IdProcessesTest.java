package dev.courier.registry.raft;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Ten {@code courier id} processes (five snowflake, five segment) draw ids from one 3-member cluster;
 * three of them are SIGKILLed while they run and replaced by new processes. Every id printed, by any of
 * the thirteen, is unique, and each segment process's ids increase.
 */
class IdProcessesTest {

    private static final int COUNT = 5_000;

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killAll() {
        processes.forEach(Process::destroyForcibly);
    }

    private record Run(Process process, Path out, Path err, boolean segment) {}

    private Run launch(String url, int n, boolean segment) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> args = new ArrayList<>(List.of(
                java,
                "-Xmx128m",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                IdCommand.class.getName(),
                "--registry",
                url,
                "--count",
                Integer.toString(COUNT),
                "--stats"));
        if (segment) {
            args.addAll(List.of("--segment", "--name", "orders", "--step", "200"));
        }
        Path out = dir.resolve("ids-" + n + ".txt");
        Path err = dir.resolve("ids-" + n + ".err");
        Process p = new ProcessBuilder(args)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        processes.add(p);
        return new Run(p, out, err, segment);
    }

    /** The ids a process printed in full lines (a killed process may leave half a line). */
    private static List<Long> ids(Path out) throws IOException {
        String text = Files.readString(out);
        int end = text.lastIndexOf('\n');
        return end < 0
                ? List.of()
                : text.substring(0, end).lines().map(Long::parseLong).toList();
    }

    @Test
    void idsAreUniqueAcrossTenProcessesWithRestarts() throws Exception {
        try (RaftTestCluster cluster = new RaftTestCluster(3, dir.resolve("cluster"), 1000).startAll()) {
            cluster.awaitLeader();
            String url = cluster.url();
            List<Run> runs = new ArrayList<>();
            for (int n = 0; n < 10; n++) {
                runs.add(launch(url, n, n % 2 == 1));
            }
            // three of them die while they hand out ids, and new processes take their place
            for (int n : List.of(0, 1, 2)) {
                Run victim = runs.get(n);
                await().atMost(Duration.ofSeconds(120))
                        .until(() ->
                                !victim.process().isAlive() || ids(victim.out()).size() > 500);
                victim.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                runs.add(launch(url, 10 + n, victim.segment()));
            }
            for (Run r : runs) {
                assertThat(r.process().waitFor(180, TimeUnit.SECONDS))
                        .as("process %s ends", r.out())
                        .isTrue();
            }
            Set<Long> snowflake = new HashSet<>();
            Set<Long> segment = new HashSet<>();
            long printed = 0;
            for (int i = 0; i < runs.size(); i++) {
                Run r = runs.get(i);
                List<Long> ids = ids(r.out());
                printed += ids.size();
                boolean killed = i < 3;
                if (!killed) {
                    assertThat(r.process().exitValue())
                            .as(Files.readString(r.err()))
                            .isZero();
                    assertThat(ids).hasSize(COUNT);
                    Files.readString(r.err())
                            .lines()
                            .filter(l -> l.startsWith("IDS "))
                            .forEach(l -> System.out.printf("[ids] %s %s%n", r.segment() ? "segment" : "snowflake", l));
                }
                if (r.segment()) {
                    assertThat(ids).isSorted();
                }
                for (long id : ids) {
                    assertThat((r.segment() ? segment : snowflake).add(id))
                            .as("id %d printed twice", id)
                            .isTrue();
                }
            }
            assertThat(printed).isGreaterThanOrEqualTo(10L * COUNT);
            System.out.printf("[ids] 13 processes (3 killed and replaced): %d ids, all unique%n", printed);
        }
    }
}
