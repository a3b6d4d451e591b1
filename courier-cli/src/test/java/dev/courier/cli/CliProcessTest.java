package dev.courier.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.courier.cli.fixture.Catalog;
import dev.courier.cli.fixture.CatalogImpl;
import dev.courier.cli.fixture.Price;
import dev.courier.cli.fixture.Product;
import dev.courier.registry.Registries;
import dev.courier.registry.Registry;
import dev.courier.rpc.ExportOptions;
import dev.courier.rpc.RpcServer;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * {@code courier call} and {@code courier ls} as separate processes whose class path has the CLI and
 * its libraries but not the provider's classes (this module's test classes), against a provider in
 * this JVM registered in ZooKeeper.
 */
class CliProcessTest {

    /** This JVM's class path without the test classes, where the provider's interface and types live. */
    private static final String CLI_CLASS_PATH = String.join(
            File.pathSeparator,
            Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                    .filter(e -> !e.endsWith("test-classes"))
                    .toList());

    private static final String SERVICE = Catalog.class.getName();

    private static TestingServer zookeeper;
    private static Registry registry;
    private static RpcServer provider;
    private static CatalogImpl catalog;
    private static String url;

    @TempDir
    Path dir;

    @BeforeAll
    static void startProvider() throws Exception {
        zookeeper = new TestingServer(true);
        url = "zookeeper://" + zookeeper.getConnectString();
        registry = Registries.connect(url);
        catalog = new CatalogImpl();
        provider = RpcServer.builder()
                .port(0)
                .registry(registry)
                .export(
                        Catalog.class,
                        catalog,
                        ExportOptions.create().tags("blue").weight(150))
                .start();
    }

    @AfterAll
    static void stopProvider() throws Exception {
        provider.close();
        registry.close();
        zookeeper.close();
    }

    private record Run(int exit, String out, String err) {}

    private Run courier(Class<?> main, String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(
                List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", CLI_CLASS_PATH, main.getName()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            fail(main.getSimpleName() + " " + List.of(args) + " did not end within 90 s: " + Files.readString(err));
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void theCliClassPathLacksTheProvidersClasses() throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : CLI_CLASS_PATH.split(File.pathSeparator)) {
            urls.add(Path.of(entry).toUri().toURL());
        }
        try (URLClassLoader cli = new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader())) {
            assertThatThrownBy(() -> cli.loadClass(SERVICE)).isInstanceOf(ClassNotFoundException.class);
            assertThat(cli.loadClass(CallCommand.class.getName())).isNotNull();
        }
    }

    @Test
    void callPrintsTheResultAsJsonWithJavaTimeListsAndNestedObjects() throws Exception {
        Run run = courier(CallCommand.class, "--registry", url, "--timeout", "20000", SERVICE + "/product", "[42]");

        assertThat(run.exit()).as(run.err()).isZero();
        JsonNode product = new ObjectMapper().readTree(run.out());
        assertThat(product.get("name").asText()).isEqualTo("Lamp");
        assertThat(product.get("released").asText()).isEqualTo("2024-02-29");
        assertThat(product.get("labels").toString()).isEqualTo("[\"light\",\"desk\"]");
        assertThat(product.get("price").get("cents").asLong()).isEqualTo(1999);
    }

    @Test
    void callBuildsPojoArgumentsOnTheProvider() throws Exception {
        Run run = courier(
                CallCommand.class,
                "--registry",
                url,
                "--timeout",
                "20000",
                SERVICE + "/add",
                "[{\"name\": \"Chair\", \"released\": \"2025-06-01\", \"labels\": [\"seat\"],"
                        + " \"price\": {\"currency\": \"EUR\", \"cents\": 4900}}]");

        assertThat(run.exit()).as(run.err()).isZero();
        Product added = catalog.products.get(Long.parseLong(run.out().strip()));
        assertThat(added.released()).isEqualTo(LocalDate.of(2025, 6, 1));
        assertThat(added.labels()).containsExactly("seat");
        assertThat(added.price()).isEqualTo(new Price("EUR", 4900));
    }

    @Test
    void callGoesStraightToAnAddressAndExitsByStatus() throws Exception {
        String address = "127.0.0.1:" + provider.port();
        Run direct = courier(
                CallCommand.class, "--address", address, "--timeout", "20000", SERVICE + "/search", "[\"Lam\"]");
        assertThat(direct.exit()).as(direct.err()).isZero();
        assertThat(new ObjectMapper().readTree(direct.out()).get(0).get("id").asLong())
                .isEqualTo(42);

        Run noMethod =
                courier(CallCommand.class, "--address", address, "--timeout", "20000", SERVICE + "/nothing", "[]");
        assertThat(noMethod.exit()).isEqualTo(CallOutcome.NOT_FOUND.exitCode());
        assertThat(noMethod.err()).contains("not_found").contains("product(long)");

        Run badArgs =
                courier(CallCommand.class, "--address", address, "--timeout", "20000", SERVICE + "/product", "[\"x\"]");
        assertThat(badArgs.exit()).isEqualTo(CallOutcome.INVALID_ARGUMENT.exitCode());
        assertThat(badArgs.err()).contains("Argument 0");

        Run threw = courier(
                CallCommand.class, "--address", address, "--timeout", "20000", SERVICE + "/fail", "[\"out of stock\"]");
        assertThat(threw.exit()).isEqualTo(CallOutcome.REMOTE_EXCEPTION.exitCode());
        assertThat(threw.err()).contains("IllegalStateException").contains("out of stock");

        Run usage = courier(CallCommand.class, SERVICE + "/product", "[42]");
        assertThat(usage.exit()).isEqualTo(2);
        assertThat(usage.err()).contains("--registry");
    }

    @Test
    void lsShowsMethodsWithSignaturesTypesAndProvidersWithWeightAndTags() throws Exception {
        Run run = courier(LsCommand.class, "--registry", url, "--timeout", "20000");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out())
                .contains(SERVICE + "  version 1.0  group default  1 provider")
                .contains(Product.class.getName() + " product(long ")
                .contains("java.util.List<" + Product.class.getName() + "> search(java.lang.String ")
                .contains("released: java.time.LocalDate")
                .contains("labels: java.util.List<java.lang.String>")
                .contains("price: " + Price.class.getName())
                .contains("127.0.0.1:" + provider.port() + "  weight 150  tags [blue]");

        Run json = courier(LsCommand.class, "--registry", url, "--timeout", "20000", "--json", SERVICE);
        assertThat(json.exit()).as(json.err()).isZero();
        JsonNode listed = new ObjectMapper().readTree(json.out());
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).get("providers").get(0).get("weight").asInt()).isEqualTo(150);
        assertThat(listed.get(0).get("methods").findValuesAsText("signature"))
                .contains("add(" + Product.class.getName() + ")");

        Run missing = courier(LsCommand.class, "--registry", url, "demo.Nothing");
        assertThat(missing.exit()).isEqualTo(CallOutcome.NOT_FOUND.exitCode());
    }
}
