package dev.courier.registry.raft;

import dev.courier.registry.Registries;
import dev.courier.registry.Registry;
import dev.courier.registry.coordination.Coordination;
import dev.courier.registry.coordination.LockGrant;
import dev.courier.registry.internal.EmbeddedRegistryFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code courier lock} and {@code courier id} against an embedded registry in this JVM. */
class LockCommandTest {

    private final String url = "embedded://lock-cli-" + java.util.UUID.randomUUID();

    @TempDir
    Path dir;

    /** Keeps the embedded store alive between commands (it lives while it has a client). */
    private Registry keeper;

    @org.junit.jupiter.api.BeforeEach
    void openStore() {
        keeper = Registries.connect(url);
    }

    @org.junit.jupiter.api.AfterEach
    void closeStore() {
        keeper.close();
    }

    private static int lock(String... args) {
        return new CommandLine(new LockCommand()).execute(args);
    }

    @Test
    void theCommandRunsHoldingTheLockAndSeesItsFencingToken() throws Exception {
        Path out = dir.resolve("token");
        assertThat(lock(
                        "--registry",
                        url,
                        "jobs",
                        "--",
                        "sh",
                        "-c",
                        "echo $COURIER_LOCK_NAME $COURIER_FENCING_TOKEN > " + out))
                .isZero();
        String[] seen = Files.readString(out).trim().split(" ");
        assertThat(seen[0]).isEqualTo("jobs");
        long first = Long.parseLong(seen[1]);
        assertThat(lock("--registry", url, "jobs", "--", "sh", "-c", "echo $COURIER_FENCING_TOKEN > " + out))
                .isZero();
        assertThat(Long.parseLong(Files.readString(out).trim())).isGreaterThan(first);
    }

    @Test
    void theCommandsExitStatusIsPassedOn() {
        assertThat(lock("--registry", url, "jobs", "--", "sh", "-c", "exit 7")).isEqualTo(7);
    }

    @Test
    void aLockHeldElsewhereIsNotAcquiredWithinTheTimeout() throws Exception {
        try (Registry other = Registries.connect(url);
                Coordination c = other.openCoordination(Duration.ofSeconds(10))) {
            LockGrant held = c.lock("jobs").tryLock(Duration.ofSeconds(10)).orElseThrow();
            Path out = dir.resolve("ran");
            assertThat(lock("--registry", url, "--timeout", "1", "jobs", "--", "touch", out.toString()))
                    .isEqualTo(LockCommand.NOT_ACQUIRED);
            assertThat(out).doesNotExist();
            held.close();
        }
    }

    @Test
    void aLostLockStopsTheCommand() throws Exception {
        Path started = dir.resolve("started");
        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> lock(
                "--registry",
                url,
                "--ttl",
                "1",
                "--kill-after",
                "1",
                "jobs",
                "--",
                "sh",
                "-c",
                "touch " + started + "; exec sleep 60"));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(started));
        // the registry loses every lease, as a store that restarted empty: the session's renewal finds it gone
        EmbeddedRegistryFactory.store(url.substring("embedded://".length())).restart();
        assertThat(run.get(30, TimeUnit.SECONDS)).isEqualTo(LockCommand.LOST);
    }

    @Test
    void idPrintsUniqueIdsOfBothKinds() {
        java.io.PrintStream original = System.out;
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            assertThat(new CommandLine(new IdCommand()).execute("--registry", url, "--count", "5000"))
                    .isZero();
            assertThat(new CommandLine(new IdCommand())
                            .execute("--registry", url, "--count", "300", "--segment", "--step", "100"))
                    .isZero();
        } finally {
            System.setOut(original);
        }
        java.util.List<Long> ids = bytes.toString(java.nio.charset.StandardCharsets.UTF_8)
                .lines()
                .map(Long::parseLong)
                .toList();
        assertThat(ids).hasSize(5300).doesNotHaveDuplicates();
        assertThat(ids.subList(0, 5000)).isSorted();
        assertThat(ids.subList(5000, 5300)).isSorted().startsWith(1L, 2L, 3L).endsWith(300L);
    }
}
