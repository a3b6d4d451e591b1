package dev.courier.benchmark;

import dev.courier.benchmark.fixture.Ledger;
import dev.courier.benchmark.fixture.LedgerImpl;
import dev.courier.registry.Registries;
import dev.courier.registry.Registry;
import dev.courier.rpc.RpcServer;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * {@code bench call} as a separate process whose class path lacks the provider's classes (this
 * module's test classes): through the registry it drives a provider in this JVM with arguments that
 * vary per call, and counts failed calls by status.
 */
class CallBenchProcessTest {

    private static final String HARNESS_CLASS_PATH = String.join(
            File.pathSeparator,
            Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                    .filter(e -> !e.endsWith("test-classes"))
                    .toList());

    private static final String SERVICE = Ledger.class.getName();

    @TempDir
    Path dir;

    private record Run(int exit, String out) {}

    private Run bench(String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(
                java,
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                HARNESS_CLASS_PATH,
                BenchMain.class.getName(),
                "call"));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "bench", ".txt");
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            fail("bench call " + List.of(args) + " did not end within 120 s: " + Files.readString(out));
        }
        return new Run(p.exitValue(), Files.readString(out));
    }

    @Test
    void drivesAProviderThroughTheRegistryWithArgumentsFromTheTemplate() throws Exception {
        LedgerImpl ledger = new LedgerImpl();
        try (TestingServer zookeeper = new TestingServer(true);
                Registry registry = Registries.connect("zookeeper://" + zookeeper.getConnectString());
                RpcServer provider = RpcServer.builder()
                        .port(0)
                        .registry(registry)
                        .export(Ledger.class, ledger)
                        .start()) {
            Path report = dir.resolve("report");

            Run run = bench(
                    "--registry",
                    "zookeeper://" + zookeeper.getConnectString(),
                    "--concurrency",
                    "2",
                    "--warmup",
                    "0",
                    "--duration",
                    "2",
                    "--timeout",
                    "20000",
                    "--report",
                    report.toString(),
                    SERVICE + "/record",
                    "[{{n}}]");

            assertThat(run.exit()).as(run.out()).isZero();
            assertThat(run.out())
                    .contains("[courier-generic " + SERVICE + "/record]   1s")
                    .contains("RESULT system=courier-generic scenario=" + SERVICE + "/record-c2");
            // every call carried its own number. How many calls fit in 2 s is the harness's figure to
            // report, not this test's to bound: on a loaded host a cold child JVM made 6. Two are enough.
            assertThat(ledger.calls.get()).isGreaterThanOrEqualTo(2);
            assertThat(ledger.entries).hasSize((int) ledger.calls.get());
            assertThat(Files.readString(report.resolve("index.html"))).contains("Courier load test of " + SERVICE);
            assertThat(provider.registered()).isTrue();
        }
    }

    @Test
    void countsFailedCallsByStatus() throws Exception {
        try (RpcServer provider = RpcServer.builder()
                .port(0)
                .export(Ledger.class, new LedgerImpl())
                .start()) {
            Path report = dir.resolve("report");

            Run run = bench(
                    "--address",
                    "127.0.0.1:" + provider.port(),
                    "--concurrency",
                    "1",
                    "--warmup",
                    "0",
                    "--duration",
                    "1",
                    "--timeout",
                    "20000",
                    "--report",
                    report.toString(),
                    SERVICE + "/fail",
                    "[{{n}}]");

            assertThat(run.exit()).as(run.out()).isEqualTo(3);
            assertThat(run.out()).containsPattern("failed calls by status remote_exception=[1-9]");
            assertThat(Files.readString(report.resolve("index.html")))
                    .contains("failed calls by status")
                    .contains("remote_exception");
        }
    }
}
