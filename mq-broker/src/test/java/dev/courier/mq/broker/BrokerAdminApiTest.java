package dev.courier.mq.broker;

import dev.courier.admin.AdminServer;
import dev.courier.mq.broker.Authorizer.Action;
import dev.courier.mq.client.protocol.BrokerService;
import dev.courier.mq.client.protocol.Delivery;
import dev.courier.mq.client.protocol.FetchRequest;
import dev.courier.mq.client.protocol.NackRequest;
import dev.courier.mq.client.protocol.PublishRequest;
import dev.courier.rpc.Authenticator;
import dev.courier.rpc.RpcClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The broker's JSON API on its admin port, with and without the broker's authentication. */
class BrokerAdminApiTest {

    @TempDir
    Path dir;

    private Broker broker;
    private RpcClient rpc;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void tearDown() {
        if (rpc != null) {
            rpc.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private HttpResponse<String> send(AdminServer admin, String method, String path, String body, String token)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(admin.url() + path))
                .timeout(Duration.ofSeconds(10))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(AdminServer admin, String path) throws Exception {
        return send(admin, "GET", path, null, null);
    }

    @Test
    void topicsSubscriptionsMessagesAndDeadLettersAreReadAndTopicsCreated() throws Exception {
        broker = EmbeddedBroker.start(BrokerConfig.builder(dir).maxDeliveries(1).build());
        AdminServer admin = broker.openAdmin("127.0.0.1", 0, null);
        rpc = RpcClient.builder().build();
        BrokerService svc = rpc.reference(BrokerService.class)
                .address("127.0.0.1", broker.port())
                .timeout(Duration.ofSeconds(10))
                .build();
        svc.publish(new PublishRequest(
                        "orders",
                        0,
                        0,
                        List.of(
                                "a".getBytes(StandardCharsets.UTF_8),
                                "b".getBytes(StandardCharsets.UTF_8),
                                "c".getBytes(StandardCharsets.UTF_8))))
                .get(10, TimeUnit.SECONDS);
        List<Delivery> got = svc.fetch(new FetchRequest("orders", "billing", "c1", 1, 1, 0, 60_000))
                .get(10, TimeUnit.SECONDS)
                .messages();
        svc.nack(new NackRequest(
                        "orders", "billing", "c1", new long[] {got.get(0).offset()}, 0, "bad order"))
                .get(10, TimeUnit.SECONDS);
        // one delivery allowed: the next fetch dead-letters offset 0 instead of redelivering it
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            svc.fetch(new FetchRequest("orders", "billing", "c1", 10, 10, 100, 60_000))
                    .get(10, TimeUnit.SECONDS);
            return broker.stats("orders", "billing").deadLettered() == 1;
        });

        assertThat(get(admin, "/api/v1/overview").body()).contains("\"published\":3");
        assertThat(get(admin, "/api/v1/topics").body())
                .contains("\"name\":\"orders\"", "\"endOffset\":3", "\"name\":\"orders.billing.dlq\"");
        String orders = get(admin, "/api/v1/topics/orders").body();
        assertThat(orders)
                .contains(
                        "\"name\":\"billing\"",
                        "\"deadLettered\":1",
                        "\"consumers\":1",
                        "\"retention\":{\"bytes\":-1,\"millis\":-1}");
        String message = get(admin, "/api/v1/topics/orders/messages/1").body();
        assertThat(message)
                .contains(
                        "\"offset\":1",
                        "\"payloadBase64\":\""
                                + Base64.getEncoder().encodeToString("b".getBytes(StandardCharsets.UTF_8)) + "\"");
        assertThat(get(admin, "/api/v1/topics/orders/messages/99").statusCode()).isEqualTo(404);
        assertThat(get(admin, "/api/v1/topics/orders/messages/x").statusCode()).isEqualTo(400);
        String letters = get(admin, "/api/v1/topics/orders/subscriptions/billing/dead-letters")
                .body();
        assertThat(letters)
                .contains(
                        "bad order",
                        "\"payloadBase64\":\""
                                + Base64.getEncoder().encodeToString("a".getBytes(StandardCharsets.UTF_8)) + "\"");
        assertThat(get(admin, "/api/v1/topics/orders/subscriptions/nobody/dead-letters")
                        .statusCode())
                .isEqualTo(404);
        assertThat(get(admin, "/api/v1/topics/nothing").statusCode()).isEqualTo(404);

        assertThat(send(admin, "POST", "/api/v1/topics", "{\"name\":\"audit\"}", null)
                        .statusCode())
                .isEqualTo(201);
        assertThat(send(admin, "POST", "/api/v1/topics", "{\"name\":\"audit\"}", null)
                        .statusCode())
                .isEqualTo(200);
        assertThat(send(admin, "POST", "/api/v1/topics", "{\"name\":\"../etc\"}", null)
                        .statusCode())
                .isEqualTo(400);
        assertThat(broker.stats("audit", "any")).isNull();
        assertThat(get(admin, "/api/v1/topics").body()).contains("\"name\":\"audit\"");
    }

    @Test
    void withAuthenticationTheApiTakesTheBrokersTokensAndTopicRules() throws Exception {
        TopicAcl rules = TopicAcl.builder()
                .allow(Action.ADMIN, "orders", "alice")
                .allow(Action.CREATE, "*", "alice")
                .allow(Action.PUBLISH, "orders", "alice")
                .allow(Action.ADMIN, "*", "ops")
                .build();
        broker = Broker.start(
                BrokerConfig.builder(dir).build(),
                "127.0.0.1",
                0,
                new BrokerSecurity(
                        null,
                        Authenticator.tokens(Map.of("tok-alice", "alice", "tok-bob", "bob", "tok-ops", "ops")),
                        rules));
        AdminServer admin = broker.openAdmin("127.0.0.1", 0, null);
        assertThat(send(admin, "POST", "/api/v1/topics", "{\"name\":\"orders\"}", "tok-alice")
                        .statusCode())
                .isEqualTo(201);

        assertThat(get(admin, "/api/v1/topics").statusCode()).isEqualTo(401);
        assertThat(send(admin, "GET", "/api/v1/topics", null, "tok-mallory").statusCode())
                .isEqualTo(401);
        assertThat(send(admin, "GET", "/api/v1/topics", null, "tok-alice").body())
                .contains("\"name\":\"orders\"");
        assertThat(send(admin, "GET", "/api/v1/topics", null, "tok-bob").body()).isEqualTo("[]");
        assertThat(send(admin, "GET", "/api/v1/topics/orders", null, "tok-bob").statusCode())
                .isEqualTo(404);
        assertThat(send(admin, "POST", "/api/v1/topics", "{\"name\":\"x\"}", "tok-bob")
                        .statusCode())
                .isEqualTo(403);
        // changes need admin on the topic; a topic the caller may not read is not there for it
        assertThat(send(admin, "DELETE", "/api/v1/topics/orders", null, "tok-bob")
                        .statusCode())
                .isEqualTo(404);
        assertThat(send(admin, "PUT", "/api/v1/topics/orders/retention", "{\"bytes\":1,\"millis\":1}", "tok-bob")
                        .statusCode())
                .isEqualTo(404);
        assertThat(send(admin, "PUT", "/api/v1/topics/orders/retention", "{\"bytes\":-1,\"millis\":60000}", "tok-alice")
                        .statusCode())
                .isEqualTo(200);
        // /metrics and connections span every topic: admin on '*'
        assertThat(send(admin, "GET", "/metrics", null, "tok-bob").statusCode()).isEqualTo(403);
        assertThat(send(admin, "GET", "/metrics", null, "tok-alice").statusCode())
                .isEqualTo(403);
        assertThat(send(admin, "GET", "/metrics", null, "tok-ops").statusCode()).isEqualTo(200);
        assertThat(send(admin, "GET", "/api/v1/connections", null, "tok-alice").statusCode())
                .isEqualTo(403);
        assertThat(send(admin, "GET", "/api/v1/connections", null, "tok-ops").statusCode())
                .isEqualTo(200);
        // the console's files hold no data and need no token; its API calls do
        assertThat(get(admin, "/").statusCode()).isEqualTo(200);
        assertThat(send(admin, "DELETE", "/api/v1/topics/orders", null, "tok-alice")
                        .statusCode())
                .isEqualTo(200);
        assertThat(get(admin, "/ready").statusCode()).isEqualTo(200);
    }
}
