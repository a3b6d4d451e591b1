package dev.courier.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code ./courier} launcher in a copy of the tree with stand-ins for {@code mvn} and {@code java}:
 * three commands started at once build once (the other two wait for that build, then start); a
 * later command does not build; a source or the distribution's start script edited after the build makes
 * the next command build again, a test does not.
 */
class LauncherTest {

    @TempDir
    Path tree;

    @TempDir
    Path bin;

    private Path log(String name) {
        return tree.resolve(name + ".log");
    }

    private List<String> lines(String name) throws IOException {
        Path f = log(name);
        return Files.exists(f) ? Files.readAllLines(f) : List.of();
    }

    private void script(Path file, String body) throws IOException {
        Files.writeString(file, "#!/usr/bin/env bash\n" + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Process courier(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(tree.resolve("courier").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        log("launcher-" + args[2]).toFile()));
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        return pb.start();
    }

    private static void awaitExit(Process p) throws InterruptedException {
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("the launcher did not end within 90 s");
        }
        assertThat(p.exitValue()).isZero();
    }

    @Test
    void commandsStartedAtOnceBuildOnceAndLaterOnesOnlyWhenASourceChanged() throws Exception {
        Files.copy(Path.of("..", "courier"), tree.resolve("courier"));
        Files.setPosixFilePermissions(tree.resolve("courier"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(tree.resolve("pom.xml"), "<project/>\n");
        Path source = tree.resolve("registry/registry-raft/src/main/java/Member.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, "class Member {}\n");
        // a build that records itself, holds until the test opens the gate (a minute at most), and leaves a
        // runtime image
        script(
                bin.resolve("mvn"),
                "echo \"$*\" >> " + log("builds") + "\n"
                        + "for i in $(seq 1200); do [ -f " + tree.resolve("gate") + " ] && break; sleep 0.05; done\n"
                        + "mkdir -p registry/registry-raft/target/classes registry/registry-raft/target/lib\n");
        script(bin.resolve("java"), "echo \"$*\" >> " + log("runs") + "\n");

        List<Process> members = List.of(
                courier("registry", "--id", "n1"),
                courier("registry", "--id", "n2"),
                courier("registry", "--id", "n3"));
        try {
            // one builds; the other two say they wait for it
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> lines("builds").size() == 1 && waiting("n1") + waiting("n2") + waiting("n3") == 2);
        } finally {
            Files.writeString(tree.resolve("gate"), "");
        }
        for (Process p : members) {
            awaitExit(p);
        }
        assertThat(lines("builds")).hasSize(1);
        assertThat(lines("builds").get(0))
                .contains("package")
                .contains("-DskipTests")
                .contains("-Dspotless.check.skip=true")
                .contains("-Dcheckstyle.skip=true")
                .doesNotContain("-pl");
        assertThat(lines("runs"))
                .hasSize(3)
                .allMatch(r -> r.contains("dev.courier.registry.raft.RegistryCommand"))
                .anyMatch(r -> r.endsWith("--id n1"))
                .anyMatch(r -> r.endsWith("--id n2"))
                .anyMatch(r -> r.endsWith("--id n3"));

        awaitExit(courier("registry", "--id", "n4"));
        assertThat(lines("builds")).hasSize(1);
        assertThat(lines("runs")).hasSize(4);

        Files.setLastModifiedTime(source, FileTime.from(Instant.now().plusSeconds(5)));
        awaitExit(courier("registry", "--id", "n5"));
        assertThat(lines("builds")).hasSize(2);
        assertThat(lines("runs")).hasSize(5);

        // a test edited is no reason to build; the distribution's start script is
        Files.setLastModifiedTime(source, FileTime.from(Instant.now().minusSeconds(60)));
        Path test = tree.resolve("registry/registry-raft/src/test/java/MemberTest.java");
        Path startScript = tree.resolve("courier-dist/src/bin/courier");
        for (Path f : List.of(test, startScript)) {
            Files.createDirectories(f.getParent());
            Files.writeString(f, "\n");
            Files.setLastModifiedTime(f, FileTime.from(Instant.now().plusSeconds(10)));
            awaitExit(courier("registry", "--id", f == test ? "n6" : "n7"));
            assertThat(lines("builds")).as(f.toString()).hasSize(f == test ? 2 : 3);
        }
        assertThat(lines("runs")).hasSize(7);
    }

    private int waiting(String id) throws IOException {
        return lines("launcher-" + id).stream().anyMatch(l -> l.contains("waiting for it")) ? 1 : 0;
    }
}
