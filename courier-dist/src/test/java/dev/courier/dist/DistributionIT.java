package dev.courier.dist;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The tarball the build made, unpacked outside the source tree and run with a PATH that has Java and
 * a shell but no Maven: the broker daemon serves {@code mq publish} and {@code mq consume}, and the
 * CA, id and generic-call commands run.
 */
class DistributionIT {

    private static final Pattern LISTENING = Pattern.compile("listening on [^:\\s]+:(\\d+)");

    @TempDir
    Path dir;

    private Path home;
    private Path tools;

    private record Run(int exit, String out) {}

    /** Unpacks the distribution and makes a PATH of bash, dirname, sed and java alone. */
    private void unpack() throws Exception {
        Path tarball = Path.of(System.getProperty("courier.distribution"));
        assertThat(tarball).as("the build's distribution").exists();
        Process tar = new ProcessBuilder("tar", "-xzf", tarball.toString(), "-C", dir.toString())
                .inheritIO()
                .start();
        assertThat(tar.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(tar.exitValue()).isZero();
        home = dir.resolve("courier-" + System.getProperty("courier.version"));
        tools = Files.createDirectories(dir.resolve("tools"));
        Files.createSymbolicLink(tools.resolve("java"), Path.of(System.getProperty("java.home"), "bin", "java"));
        for (String tool : List.of("bash", "dirname", "sed")) {
            Files.createSymbolicLink(tools.resolve(tool), which(tool));
        }
    }

    private static Path which(String tool) {
        for (String d : List.of("/usr/bin", "/bin", "/usr/local/bin")) {
            Path p = Path.of(d, tool);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        throw new IllegalStateException(tool + " not found");
    }

    private ProcessBuilder courier(Path output, String... args) {
        List<String> command =
                new ArrayList<>(List.of(home.resolve("bin/courier").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        Map<String, String> env = pb.environment();
        env.remove("JAVA_HOME");
        env.remove("MAVEN_HOME");
        env.put("PATH", tools.toString());
        return pb;
    }

    private Run run(String... args) throws Exception {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Process p = courier(out, args).start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError(
                    "bin/courier " + List.of(args) + " did not end within 90 s: " + Files.readString(out));
        }
        return new Run(p.exitValue(), Files.readString(out));
    }

    @Test
    void everyDaemonAndToolRunsFromTheUnpackedTarball() throws Exception {
        unpack();
        assertThat(home.resolve("bin/courier")).isExecutable();
        try (var jars = Files.list(home.resolve("lib"))) {
            assertThat(jars.map(p -> p.getFileName().toString()).toList())
                    .anyMatch(n -> n.startsWith("courier-cli-"))
                    .anyMatch(n -> n.startsWith("mq-broker-"))
                    .anyMatch(n -> n.startsWith("registry-raft-"))
                    .anyMatch(n -> n.startsWith("rpc-core-"))
                    .noneMatch(n -> n.startsWith("junit"));
        }

        Run help = run("help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("bin/courier broker").contains("bin/courier call");

        Run ca = run("cert", "init", "--dir", dir.resolve("ca").toString());
        assertThat(ca.exit()).as(ca.out()).isZero();
        assertThat(dir.resolve("ca/ca.pem")).exists();

        Run ids = run("id", "--registry", "embedded://dist", "--count", "3");
        assertThat(ids.exit()).as(ids.out()).isZero();
        assertThat(ids.out().lines().filter(l -> l.matches("\\d+")).count()).isEqualTo(3);

        Run call = run("call", "--address", "127.0.0.1:1", "--timeout", "2000", "demo.Nothing/x", "[]");
        assertThat(call.exit()).as(call.out()).isEqualTo(7); // no provider reachable: the CLI ran and said so

        Path brokerOut = dir.resolve("broker.txt");
        Process broker = courier(
                        brokerOut, "broker", "--data-dir", dir.resolve("data").toString(), "--port", "0")
                .start();
        try {
            String port = await().atMost(Duration.ofSeconds(60)).until(() -> listeningPort(brokerOut), p -> p != null);
            String address = "127.0.0.1:" + port;

            Run publish =
                    run("mq", "publish", "--broker", address, "--topic", "orders", "--count", "20", "--size", "64");
            assertThat(publish.exit()).as(publish.out()).isZero();
            Run consume = run(
                    "mq",
                    "consume",
                    "--broker",
                    address,
                    "--topic",
                    "orders",
                    "--subscription",
                    "audit",
                    "--count",
                    "20",
                    "--from",
                    "earliest",
                    "--idle-exit",
                    "30");
            assertThat(consume.exit()).as(consume.out()).isZero();
            assertThat(consume.out()).contains("consumed 20 messages");
        } finally {
            broker.destroy(); // SIGTERM: the broker closes cleanly
            if (!broker.waitFor(60, TimeUnit.SECONDS)) {
                broker.destroyForcibly().waitFor();
            }
        }
        assertThat(broker.exitValue()).as(Files.readString(brokerOut)).isIn(0, 143);
    }

    private static String listeningPort(Path output) throws IOException {
        Matcher m = LISTENING.matcher(Files.exists(output) ? Files.readString(output) : "");
        return m.find() ? m.group(1) : null;
    }
}
