package dev.courier.rpc;

import dev.courier.registry.Registries;
import dev.courier.registry.Registry;
import dev.courier.registry.ServiceKey;
import dev.courier.rpc.bootstrap.good.Frontend;
import dev.courier.rpc.bootstrap.good.Hello;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The provider's admin port: metrics after known traffic, health, offline and online, ls. */
class ProviderAdminTest {

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String registryUrl = "embedded://admin-" + UUID.randomUUID();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private <T extends AutoCloseable> T owned(T resource) {
        resources.add(resource);
        return resource;
    }

    private HttpResponse<String> get(int port, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(int port, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metricsAfterKnownTrafficShowCallsByServiceMethodAndOutcomeAndTheServersGauges() throws Exception {
        RpcServer server = owned(RpcServer.builder()
                .host("127.0.0.1")
                .adminPort(0)
                .export(EchoService.class, new EchoServiceImpl())
                .start());
        EchoService echo = owned(RpcClient.builder().build())
                .reference(EchoService.class)
                .address("127.0.0.1", server.port())
                .build();
        for (int i = 0; i < 3; i++) {
            echo.echo("x" + i);
        }
        assertThatThrownBy(() -> echo.fail("boom")).isInstanceOf(RemoteException.class);

        String service = EchoService.class.getName();
        // A call is recorded, and leaves the in-flight count, once its answer is queued, which the client may
        // see first.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            HttpResponse<String> metrics = get(server.adminPort(), "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body())
                    .contains("courier_server_calls_seconds_count{method=\"echo\",outcome=\"ok\",service=\"" + service
                            + "\"} 3")
                    .contains("courier_server_calls_seconds_count{method=\"fail\",outcome=\"error\",service=\""
                            + service + "\"} 1")
                    .contains("courier_server_calls_seconds_bucket{method=\"echo\",outcome=\"ok\"")
                    .contains("courier_server_pool_max{port=\"" + server.port() + "\"} 200")
                    .contains("courier_server_connections{port=\"" + server.port() + "\"} 1")
                    .contains("courier_server_inflight{port=\"" + server.port() + "\"} 0")
                    .contains("jvm_memory_used_bytes");
        });
    }

    @Test
    void offlineDeregistersWithoutStoppingAndOnlineRegistersAgain() throws Exception {
        Registry registry = owned(Registries.connect(registryUrl));
        RpcServer server = owned(RpcServer.builder()
                .host("127.0.0.1")
                .adminPort(0)
                .registry(registry)
                .export(EchoService.class, new EchoServiceImpl())
                .start());
        EchoService direct = owned(RpcClient.builder().build())
                .reference(EchoService.class)
                .address("127.0.0.1", server.port())
                .build();
        ServiceKey key = ServiceKey.of(EchoService.class);
        int admin = server.adminPort();

        assertThat(get(admin, "/ready").statusCode()).isEqualTo(200);
        assertThat(registry.list(key).instances()).hasSize(1);
        assertThat(get(admin, "/ls").body())
                .contains("\"registered\":true")
                .contains("\"instance\":\"127.0.0.1:" + server.port() + "\"");

        HttpResponse<String> offline = post(admin, "/offline");
        assertThat(offline.statusCode()).isEqualTo(200);
        assertThat(offline.body()).contains("\"changed\":true");
        assertThat(registry.list(key).instances()).isEmpty();
        assertThat(get(admin, "/ready").statusCode()).isEqualTo(503);
        assertThat(get(admin, "/live").statusCode()).isEqualTo(200);
        assertThat(direct.echo("still served")).isEqualTo("still served");
        assertThat(post(admin, "/offline").body()).contains("\"changed\":false");

        assertThat(post(admin, "/online").body()).contains("\"changed\":true");
        assertThat(registry.list(key).instances()).extracting(i -> i.port()).containsExactly(server.port());
        assertThat(get(admin, "/ready").statusCode()).isEqualTo(200);

        server.close();
        assertThat(registry.list(key).instances()).isEmpty();
    }

    @Test
    void aServerWithoutARegistryRefusesOfflineAndTheTokenGuardsTheRoutes() throws Exception {
        RpcServer server = owned(RpcServer.builder()
                .host("127.0.0.1")
                .adminPort(0)
                .adminToken("t0ken")
                .export(EchoService.class, new EchoServiceImpl())
                .start());
        int admin = server.adminPort();

        assertThat(get(admin, "/ls").statusCode()).isEqualTo(401);
        assertThat(get(admin, "/ready").statusCode()).isEqualTo(200);
        HttpResponse<String> offline = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/offline"))
                        .header("Authorization", "Bearer t0ken")
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(offline.statusCode()).isEqualTo(409);
        assertThat(get(admin, "/ls", "Authorization", "Bearer t0ken").body())
                .contains(EchoService.class.getName())
                .contains("\"registered\":false");
    }

    @Test
    void courierListsItsReferencesWithTheProvidersEachSeesAndScrapesClientAndServerMeters() throws Exception {
        Courier courier = owned(Courier.builder()
                .registry(registryUrl)
                .scan("dev.courier.rpc.bootstrap.good")
                .adminPort(0)
                .start());
        Frontend frontend = courier.inject(new Frontend());
        assertThat(frontend.greet("Ada")).isEqualTo("Hello, Ada");
        int admin = courier.adminPort();

        String ls = get(admin, "/ls").body();
        assertThat(ls)
                .contains("\"service\":\"" + ServiceKey.of(Hello.class) + "\"")
                .contains("\"providers\":[\"127.0.0.1:" + courier.server().port() + "\"]");
        // each side records a call once it has answered or been answered
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(get(admin, "/metrics").body())
                        .contains("courier_client_calls_seconds_count{method=\"hello\",outcome=\"ok\",service=\""
                                + Hello.class.getName() + "\"} 1")
                        .contains("courier_server_calls_seconds_count{method=\"hello\",outcome=\"ok\",service=\""
                                + Hello.class.getName() + "\"} 1")
                        .contains("courier_client_server_exec_seconds_count{method=\"hello\""));
    }

    @Test
    void aConsumerOnlyCourierServesLsAndMetricsOnItsOwnAdminPort() throws Exception {
        Courier provider = owned(Courier.builder()
                .registry(registryUrl)
                .scan("dev.courier.rpc.bootstrap.good")
                .start());
        Courier consumer =
                owned(Courier.builder().registry(registryUrl).adminPort(0).start());
        assertThat(consumer.reference(Hello.class).hello("Linus")).isEqualTo("Hello, Linus");

        assertThat(consumer.server()).isNull();
        assertThat(get(consumer.adminPort(), "/ls").body())
                .contains("\"providers\":[\"127.0.0.1:" + provider.server().port() + "\"]");
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(
                        () -> assertThat(get(consumer.adminPort(), "/metrics").body())
                                .contains("courier_client_calls_seconds_count{method=\"hello\",outcome=\"ok\""));
        assertThat(get(consumer.adminPort(), "/ready").statusCode()).isEqualTo(200);
    }
}
