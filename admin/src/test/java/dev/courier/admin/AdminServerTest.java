package dev.courier.admin;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AdminServerTest {

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private AdminServer server;

    @AfterEach
    void close() {
        if (server != null) {
            server.close();
        }
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(server.url() + path)).timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(server.url() + path)).timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(
                b.POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metricsAreThePrometheusTextOfTheRegistryAfterKnownTraffic() throws Exception {
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        server = AdminServer.builder().meters(meters).jvmMeters(false).start();
        Counter published =
                Counter.builder("courier.test.published").tag("topic", "orders").register(meters);
        Timer fsync = Timer.builder("courier.test.fsync").register(meters);
        published.increment(3);
        fsync.record(Duration.ofMillis(4));
        fsync.record(Duration.ofMillis(6));

        HttpResponse<String> r = get("/metrics");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue(AdminServer.PROMETHEUS_TEXT);
        assertThat(r.body())
                .contains("courier_test_published_total{topic=\"orders\"} 3.0")
                .contains("courier_test_fsync_seconds_count 2")
                .contains("courier_test_fsync_seconds_sum 0.01");
    }

    @Test
    void aServerWithItsOwnRegistryExposesTheJvmsMetersAndBindsLoopback() throws Exception {
        server = AdminServer.builder().start();

        assertThat(server.address().getAddress().isLoopbackAddress()).isTrue();
        assertThat(get("/metrics").body())
                .contains("jvm_memory_used_bytes", "jvm_threads_live_threads", "system_cpu_count");
    }

    @Test
    void healthFollowsTheOwnersChecks() throws Exception {
        AtomicBoolean ready = new AtomicBoolean();
        server = AdminServer.builder().ready(ready::get).live(() -> true).start();

        assertThat(get("/live").statusCode()).isEqualTo(200);
        assertThat(get("/ready").statusCode()).isEqualTo(503);
        ready.set(true);
        assertThat(get("/ready").statusCode()).isEqualTo(200);
    }

    @Test
    void routesAnswerByPathAndMethodWithTypedErrors() throws Exception {
        server = AdminServer.builder()
                .get("/api/v1/overview", r -> AdminResponse.json(Map.of("topics", 2)))
                .get(
                        "/api/v1/topics/*",
                        r -> AdminResponse.json(
                                Map.of("name", r.pathAfter("/api/v1/topics"), "limit", r.param("limit", "10"))))
                .post("/api/v1/topics/*", r -> AdminResponse.json(201, AdminResponse.readJson(r.body(), Map.class)))
                .get("/api/v1/missing", r -> {
                    throw AdminException.notFound("no such thing");
                })
                .get("/api/v1/broken", r -> {
                    throw new IllegalStateException("bug");
                })
                .start();

        assertThat(get("/api/v1/overview").body()).isEqualTo("{\"topics\":2}");
        HttpResponse<String> topic = get("/api/v1/topics/orders?limit=3");
        assertThat(topic.statusCode()).isEqualTo(200);
        assertThat(topic.body()).contains("\"name\":\"orders\"", "\"limit\":\"3\"");
        HttpResponse<String> created = post("/api/v1/topics/orders", "{\"retention\":\"1h\"}");
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(created.body()).isEqualTo("{\"retention\":\"1h\"}");
        assertThat(post("/api/v1/topics/orders", "{not json").statusCode()).isEqualTo(400);
        assertThat(get("/nowhere").statusCode()).isEqualTo(404);
        HttpResponse<String> wrongMethod = post("/api/v1/overview", "");
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(wrongMethod.headers().firstValue("Allow")).hasValue("GET");
        HttpResponse<String> missing = get("/api/v1/missing");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).isEqualTo("{\"error\":\"no such thing\"}");
        assertThat(get("/api/v1/broken").statusCode()).isEqualTo(500);
    }

    @Test
    void aBodyOverTheCapIsRefusedUnread() throws Exception {
        server = AdminServer.builder()
                .post("/upload", r -> AdminResponse.json(Map.of("bytes", r.body().length)))
                .start();

        assertThat(post("/upload", "x".repeat(AdminServer.MAX_BODY_BYTES)).body())
                .isEqualTo("{\"bytes\":65536}");
        assertThat(post("/upload", "x".repeat(AdminServer.MAX_BODY_BYTES + 1)).statusCode())
                .isEqualTo(413);
    }

    @Test
    void aBearerTokenGuardsEverythingButHealth() throws Exception {
        server = AdminServer.builder()
                .bearerToken("s3cret")
                .get("/ls", r -> AdminResponse.json(Map.of()))
                .start();

        assertThat(get("/metrics").statusCode()).isEqualTo(401);
        assertThat(get("/ls", "Authorization", "Bearer wrong").statusCode()).isEqualTo(401);
        assertThat(get("/ls", "Authorization", "Bearer s3cret").statusCode()).isEqualTo(200);
        assertThat(get("/metrics", "Authorization", "Bearer s3cret").statusCode())
                .isEqualTo(200);
        assertThat(get("/live").statusCode()).isEqualTo(200);
        assertThat(get("/ready").statusCode()).isEqualTo(200);
    }

    @Test
    void theConsoleFilesAreServedWithoutATokenAndNothingOutsideTheirDirectory() throws Exception {
        server = AdminServer.builder()
                .bearerToken("s3cret")
                .console(getClass().getClassLoader(), "dev/courier/admin/test-console")
                .metricsAccess(p -> false)
                .start();

        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("console page");
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("Content-Security-Policy"))
                .get()
                .asString()
                .contains("default-src 'self'");
        HttpResponse<String> script = get("/console/app.js");
        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
        assertThat(get("/console/missing.js").statusCode()).isEqualTo(404);
        assertThat(get("/console/..%2Fsecret.txt").statusCode()).isEqualTo(404);
        assertThat(get("/console/%2E%2E/secret.txt").statusCode()).isEqualTo(404);
        assertThat(get("/console/.hidden").statusCode()).isEqualTo(404);
        // the data still needs the token, and /metrics the principal metricsAccess allows
        assertThat(get("/metrics").statusCode()).isEqualTo(401);
        assertThat(get("/metrics", "Authorization", "Bearer s3cret").statusCode())
                .isEqualTo(403);
    }

    @Test
    void aStateChangeFromAnotherOriginIsRefused() throws Exception {
        AtomicBoolean changed = new AtomicBoolean();
        server = AdminServer.builder()
                .post("/offline", r -> {
                    changed.set(true);
                    return AdminResponse.json(Map.of("offline", true));
                })
                .start();

        assertThat(post("/offline", "", "Origin", "http://evil.example").statusCode())
                .isEqualTo(403);
        assertThat(changed).isFalse();
        assertThat(post("/offline", "", "Origin", server.url()).statusCode()).isEqualTo(200);
        assertThat(changed).isTrue();
    }

    @Test
    void theOwnPathsCannotBeTakenByARoute() {
        assertThatThrownBy(() -> AdminServer.builder().get("/metrics", r -> AdminResponse.json(Map.of())))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AdminServer.builder().get("/a", r -> null).get("/a", r -> null))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
