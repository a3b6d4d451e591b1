package dev.courier.mq.broker.cli;

import dev.courier.mq.broker.Broker;
import dev.courier.mq.broker.storage.FsyncPolicy;
import dev.courier.mq.client.protocol.BrokerService;
import dev.courier.mq.client.protocol.PublishRequest;
import dev.courier.rpc.RpcClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code courier broker --config FILE} end to end, in this process. */
class BrokerMainTest {

    @TempDir
    Path dir;

    @Test
    void aBrokerOnTheSimulatedDiskKeepsOnlyForcedDataAndFollowsItsQuotaFile() throws Exception {
        Path data = dir.resolve("sim");
        Path quota = dir.resolve("quota");
        BrokerMain main = new BrokerMain();
        new CommandLine(main)
                .parseArgs(
                        "--data-dir",
                        data.toString(),
                        "--port",
                        "0",
                        "--host",
                        "127.0.0.1",
                        "--simulate-disk-cache",
                        "--disk-quota-file",
                        quota.toString());
        try (Broker broker = main.start();
                RpcClient rpc = RpcClient.builder().build()) {
            BrokerService svc = rpc.reference(BrokerService.class)
                    .address("127.0.0.1", broker.port())
                    .timeout(Duration.ofSeconds(10))
                    .build();
            svc.publish(new PublishRequest("t", 0, 0, List.of(new byte[100]))).get(5, TimeUnit.SECONDS);
            try (Stream<Path> entries = Files.list(data)) {
                assertThat(entries.map(p -> p.getFileName().toString())).containsExactly(".simdisk");
            }
            Files.writeString(quota, Long.toString(main.simulatedDisk().usedBytes()));
            await().atMost(10, TimeUnit.SECONDS)
                    .untilAsserted(() -> assertThat(svc.publish(new PublishRequest("t", 0, 0, List.of(new byte[100]))))
                            .failsWithin(5, TimeUnit.SECONDS)
                            .withThrowableThat()
                            .withMessageContaining("storage full"));
            Files.delete(quota);
            // until the broker sees the quota gone, a publish still fails with "storage full": try again
            await().atMost(10, TimeUnit.SECONDS)
                    .ignoreExceptions()
                    .untilAsserted(() -> assertThat(svc.publish(new PublishRequest("t", 0, 0, List.of(new byte[100])))
                                    .get(5, TimeUnit.SECONDS)
                                    .offsets())
                            .containsExactly(1));
        } finally {
            main.simulatedDisk().close();
        }
    }

    @Test
    void adminPortFlagsOpenTheMetricsEndpointGuardedByTheTokenFile() throws Exception {
        Path token = dir.resolve("admin.token");
        Files.writeString(token, "s3cret\n");
        BrokerMain main = new BrokerMain();
        new CommandLine(main)
                .parseArgs(
                        "--data-dir",
                        dir.resolve("data").toString(),
                        "--port",
                        "0",
                        "--admin-port",
                        "0",
                        "--admin-token-file",
                        token.toString());
        try (Broker broker = main.start()) {
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            java.net.URI metrics = java.net.URI.create("http://127.0.0.1:" + broker.adminPort() + "/metrics");
            assertThat(http.send(
                                    java.net.http.HttpRequest.newBuilder(metrics)
                                            .build(),
                                    java.net.http.HttpResponse.BodyHandlers.discarding())
                            .statusCode())
                    .isEqualTo(401);
            java.net.http.HttpResponse<String> ok = http.send(
                    java.net.http.HttpRequest.newBuilder(metrics)
                            .header("Authorization", "Bearer s3cret")
                            .build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body()).contains("courier_broker_topics");
        }
    }

    @Test
    void aQuotaFileNeedsTheSimulatedDisk() {
        BrokerMain main = new BrokerMain();
        new CommandLine(main).parseArgs("--data-dir", dir.toString(), "--disk-quota-file", "q");
        org.assertj.core.api.Assertions.assertThatThrownBy(main::start)
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("--simulate-disk-cache");
    }

    @Test
    void aBrokerStartsWithTheSettingsOfItsConfigFileAndFlags() throws Exception {
        Path data = dir.resolve("data");
        Path file = dir.resolve("broker.properties");
        Files.writeString(
                file,
                String.join(
                        "\n",
                        "# the flag --port 0 replaces this port",
                        "port=7400",
                        "host=127.0.0.1",
                        "fsync=never",
                        "segment.bytes=1024",
                        "max.deliveries=3",
                        "session.timeout.ms=5000",
                        "topic.short.retention.ms=0"));
        BrokerMain main = new BrokerMain();
        new CommandLine(main).parseArgs("--data-dir", data.toString(), "--config", file.toString(), "--port", "0");
        try (Broker broker = main.start();
                RpcClient rpc = RpcClient.builder().build()) {
            assertThat(broker.port()).isPositive().isNotEqualTo(7400);
            assertThat(broker.address().getAddress().isLoopbackAddress()).isTrue();
            assertThat(broker.config().log().fsync()).isEqualTo(FsyncPolicy.NEVER);
            assertThat(broker.config().maxDeliveries()).isEqualTo(3);
            assertThat(broker.config().sessionTimeout()).isEqualTo(Duration.ofMillis(5000));

            BrokerService svc = rpc.reference(BrokerService.class)
                    .address("127.0.0.1", broker.port())
                    .timeout(Duration.ofSeconds(10))
                    .build();
            byte[] body = new byte[200];
            for (int i = 0; i < 12; i++) { // 4 records a segment: 3 segments per topic
                svc.publish(new PublishRequest("short", 0, 0, List.of(body))).get(5, TimeUnit.SECONDS);
                svc.publish(new PublishRequest("long", 0, 0, List.of(body))).get(5, TimeUnit.SECONDS);
            }
            Path topics = data.resolve("topics");
            // "short" has an age limit of 0 of its own: housekeeping deletes its rolled segments
            await().atMost(10, TimeUnit.SECONDS).until(() -> segments(topics.resolve("short")) == 1);
            assertThat(segments(topics.resolve("long")))
                    .as("no limit for other topics")
                    .isEqualTo(3);
        }
    }

    @Test
    void aBadConfigFileEndsTheCommandWithExitCode2BeforeStarting() throws Exception {
        Path data = dir.resolve("data");
        Path file = dir.resolve("broker.properties");
        Files.writeString(file, "port=0\nsegment.byte=1024\n");
        int code =
                new CommandLine(new BrokerMain()).execute("--data-dir", data.toString(), "--config", file.toString());
        assertThat(code).isEqualTo(BrokerMain.EXIT_BAD_SETTING);
        assertThat(data).doesNotExist();
    }

    private static long segments(Path topicDir) throws IOException {
        try (Stream<Path> s = Files.list(topicDir)) {
            return s.filter(p -> p.toString().endsWith(".log")).count();
        }
    }
}
