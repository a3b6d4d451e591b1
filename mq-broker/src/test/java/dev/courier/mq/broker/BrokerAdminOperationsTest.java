package dev.courier.mq.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.courier.admin.AdminServer;
import dev.courier.mq.broker.storage.FsyncPolicy;
import dev.courier.mq.broker.storage.LogConfig;
import dev.courier.mq.client.protocol.BrokerService;
import dev.courier.mq.client.protocol.Delivery;
import dev.courier.mq.client.protocol.FetchRequest;
import dev.courier.mq.client.protocol.NackRequest;
import dev.courier.mq.client.protocol.PublishRequest;
import dev.courier.mq.client.protocol.PublishResult;
import dev.courier.rpc.RpcClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What an operator changes through the broker's admin API: seek and purge of a subscription, replay and
 * purge of dead letters, retention, deleting a topic, and closing consumers and connections — each
 * checked through the messaging API and, where it must last, across a restart.
 */
class BrokerAdminOperationsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Broker broker;
    private AdminServer admin;
    private RpcClient rpc;
    private BrokerService svc;
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

    private void start(BrokerConfig config) {
        broker = EmbeddedBroker.start(config);
        admin = broker.openAdmin("127.0.0.1", 0, null);
        if (rpc == null) {
            rpc = RpcClient.builder().build();
        }
        svc = rpc.reference(BrokerService.class)
                .address("127.0.0.1", broker.port())
                .timeout(Duration.ofSeconds(10))
                .build();
    }

    private void restart(BrokerConfig config) {
        broker.close();
        start(config);
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(admin.url() + path))
                .timeout(Duration.ofSeconds(10))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode json(String method, String path, String body) throws Exception {
        HttpResponse<String> r = send(method, path, body);
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isBetween(200, 299);
        return JSON.readTree(r.body());
    }

    private PublishResult publish(String topic, String... payloads) throws Exception {
        List<byte[]> bytes = new ArrayList<>();
        for (String p : payloads) {
            bytes.add(p.getBytes(StandardCharsets.UTF_8));
        }
        return svc.publish(new PublishRequest(topic, 0, 0, bytes)).get(10, TimeUnit.SECONDS);
    }

    private List<Delivery> fetch(String topic, String sub, String consumer, int max) throws Exception {
        return svc.fetch(new FetchRequest(topic, sub, consumer, max, max, 0, 60_000))
                .get(10, TimeUnit.SECONDS)
                .messages();
    }

    private static List<Long> offsets(List<Delivery> deliveries) {
        return deliveries.stream().map(Delivery::offset).toList();
    }

    private static String text(Delivery d) {
        return new String(d.payload(), StandardCharsets.UTF_8);
    }

    @Test
    void seekMovesASubscriptionBackAndForthByOffsetOrTimeAndLastsAcrossARestart() throws Exception {
        BrokerConfig config = BrokerConfig.builder(dir).build();
        start(config);
        publish("orders", "m0", "m1", "m2", "m3", "m4");
        List<Delivery> first = fetch("orders", "billing", "c1", 5);
        assertThat(offsets(first)).containsExactly(0L, 1L, 2L, 3L, 4L);
        svc.ack(new dev.courier.mq.client.protocol.AckRequest("orders", "billing", "c1", new long[] {0, 1, 2, 3, 4}))
                .get(10, TimeUnit.SECONDS);

        HttpResponse<String> refused =
                send("POST", "/api/v1/topics/orders/subscriptions/billing/seek", "{\"offset\":1}");
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
        assertThat(refused.body()).contains("1 consumers are attached");
        svc.detach("orders", "billing", "c1");

        assertThat(json("POST", "/api/v1/topics/orders/subscriptions/billing/seek", "{\"offset\":1}")
                        .get("offset")
                        .asLong())
                .isEqualTo(1);
        assertThat(broker.stats("orders", "billing").backlog()).isEqualTo(4);
        restart(config); // the seek back is on disk
        List<Delivery> again = fetch("orders", "billing", "c2", 10);
        assertThat(offsets(again)).containsExactly(1L, 2L, 3L, 4L);
        assertThat(again.get(0).deliveryCount())
                .as("a seek starts the counts over")
                .isEqualTo(1);
        svc.detach("orders", "billing", "c2");

        // forward: everything below 4 counts as acknowledged, 4 comes again
        assertThat(json("POST", "/api/v1/topics/orders/subscriptions/billing/seek", "{\"offset\":4}")
                        .get("offset")
                        .asLong())
                .isEqualTo(4);
        assertThat(offsets(fetch("orders", "billing", "c3", 10))).containsExactly(4L);
        svc.detach("orders", "billing", "c3");

        // by time: the first message stored at or after the instant
        long last = System.currentTimeMillis();
        await().atMost(Duration.ofSeconds(5)).until(() -> System.currentTimeMillis() > last + 1);
        long instant = System.currentTimeMillis();
        await().atMost(Duration.ofSeconds(5)).until(() -> System.currentTimeMillis() > instant);
        publish("orders", "m5", "m6");
        assertThat(json("POST", "/api/v1/topics/orders/subscriptions/billing/seek", "{\"timestamp\":" + instant + "}")
                        .get("offset")
                        .asLong())
                .isEqualTo(5);
        assertThat(json("POST", "/api/v1/topics/orders/subscriptions/billing/seek", "{\"timestamp\":0}")
                        .get("offset")
                        .asLong())
                .isZero();
        assertThat(json("POST", "/api/v1/topics/orders/subscriptions/billing/seek", "{\"offset\":99}")
                        .get("offset")
                        .asLong())
                .as("clamped to the end")
                .isEqualTo(7);
        assertThat(send("POST", "/api/v1/topics/orders/subscriptions/billing/seek", "{}")
                        .statusCode())
                .isEqualTo(400);
        assertThat(send("POST", "/api/v1/topics/orders/subscriptions/nobody/seek", "{\"offset\":0}")
                        .statusCode())
                .isEqualTo(404);
    }

    @Test
    void purgeAcknowledgesTheBacklogWithConsumersAttached() throws Exception {
        start(BrokerConfig.builder(dir).build());
        publish("orders", "a", "b", "c", "d");
        assertThat(offsets(fetch("orders", "billing", "c1", 1))).containsExactly(0L);
        JsonNode purged = json("POST", "/api/v1/topics/orders/subscriptions/billing/purge", null);
        assertThat(purged.get("purged").asLong()).isEqualTo(4);
        assertThat(broker.stats("orders", "billing").backlog()).isZero();
        assertThat(fetch("orders", "billing", "c1", 10)).isEmpty();
        publish("orders", "e");
        assertThat(offsets(fetch("orders", "billing", "c1", 10))).containsExactly(4L);
    }

    @Test
    void deadLettersAreReplayedToTheTopicOrPurgedAndStayDoneAfterARestart() throws Exception {
        BrokerConfig config = BrokerConfig.builder(dir).maxDeliveries(1).build();
        start(config);
        publish("orders", "a", "b", "c");
        List<Delivery> got = fetch("orders", "billing", "c1", 3);
        svc.nack(new NackRequest("orders", "billing", "c1", new long[] {0, 1, 2}, 0, "bad order"))
                .get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            fetch("orders", "billing", "c1", 10);
            return broker.stats("orders", "billing").deadLettered() == 3;
        });
        assertThat(got).hasSize(3);
        String letters = "/api/v1/topics/orders/subscriptions/billing/dead-letters";
        JsonNode all = json("GET", letters, null);
        assertThat(all).hasSize(3);
        long firstLetter = all.get(0).get("offset").asLong();

        JsonNode replayed = json("POST", letters + "/replay", "{\"offsets\":[" + firstLetter + "]}");
        assertThat(replayed.get("replayed")).hasSize(1);
        assertThat(json("GET", letters, null)).hasSize(2);
        // replaying it again does nothing: it is marked replayed
        assertThat(json("POST", letters + "/replay", "{\"offsets\":[" + firstLetter + "]}")
                        .get("replayed"))
                .isEmpty();

        List<Delivery> back = fetch("orders", "billing", "c1", 10);
        assertThat(back).hasSize(1);
        assertThat(text(back.get(0))).isEqualTo("a");
        assertThat(back.get(0).offset()).isEqualTo(3);
        assertThat(back.get(0).headers())
                .containsEntry("courier.replayed.from", "orders.billing.dlq@" + firstLetter)
                .doesNotContainKey("courier.failure");

        restart(config);
        assertThat(json("GET", letters, null))
                .as("replayed ones stay out of the list")
                .hasSize(2);
        assertThat(json("POST", letters + "/purge", null).get("purged").asLong())
                .isEqualTo(2);
        assertThat(json("GET", letters, null)).isEmpty();
        restart(config);
        assertThat(json("GET", letters, null)).isEmpty();
        assertThat(json("POST", letters + "/replay", "{}").get("replayed")).isEmpty();
        assertThat(send("POST", letters + "/replay", "{\"offsets\":\"all\"}").statusCode())
                .isEqualTo(400);
    }

    @Test
    void aReplayWhoseCopiesCannotBeStoredAnswers503AndMarksNoLetterReplayed() throws Exception {
        AtomicBoolean diskFails = new AtomicBoolean();
        LogConfig orders = LogConfig.builder()
                .fsync(FsyncPolicy.ALWAYS)
                .syncer(file -> {
                    if (diskFails.get()) {
                        throw new IOException("injected EIO");
                    }
                    file.force(false);
                })
                .build();
        start(BrokerConfig.builder(dir)
                .maxDeliveries(1)
                .topicLog("orders", orders)
                .build());
        publish("orders", "a", "b");
        fetch("orders", "billing", "c1", 2);
        svc.nack(new NackRequest("orders", "billing", "c1", new long[] {0, 1}, 0, "bad order"))
                .get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            fetch("orders", "billing", "c1", 10);
            return broker.stats("orders", "billing").deadLettered() == 2;
        });
        String letters = "/api/v1/topics/orders/subscriptions/billing/dead-letters";

        diskFails.set(true); // the topic the letters go back to can no longer make anything durable
        HttpResponse<String> refused = send("POST", letters + "/replay", "{}");
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
        assertThat(refused.body()).contains("no dead letter is marked replayed");
        assertThat(json("GET", letters, null))
                .as("both letters stay listed, to be replayed later")
                .hasSize(2);
    }

    @Test
    void retentionIsChangedPerTopicAppliedAndKeptAcrossARestart() throws Exception {
        BrokerConfig config = BrokerConfig.builder(dir)
                .housekeeping(Duration.ofMillis(50))
                .log(LogConfig.builder().segmentBytes(1024).build())
                .build();
        start(config);
        String payload = "x".repeat(300);
        for (int i = 0; i < 10; i++) {
            publish("logs", payload);
        }
        assertThat(json("GET", "/api/v1/topics/logs", null).get("startOffset").asLong())
                .isZero();
        JsonNode set = json("PUT", "/api/v1/topics/logs/retention", "{\"bytes\":2000,\"millis\":-1}");
        assertThat(set.get("retention").get("bytes").asLong()).isEqualTo(2000);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> json("GET", "/api/v1/topics/logs", null)
                                .get("diskBytes")
                                .asLong()
                        <= 2000 + 1024);
        assertThat(json("GET", "/api/v1/topics/logs", null).get("startOffset").asLong())
                .isPositive();

        restart(config);
        JsonNode after = json("GET", "/api/v1/topics/logs", null);
        assertThat(after.get("retention").get("bytes").asLong()).isEqualTo(2000);
        assertThat(after.get("retention").get("millis").asLong()).isEqualTo(-1);
        assertThat(send("PUT", "/api/v1/topics/logs/retention", "{\"bytes\":-5,\"millis\":-1}")
                        .statusCode())
                .isEqualTo(400);
        assertThat(send("PUT", "/api/v1/topics/logs/retention", "{\"bytes\":10}")
                        .statusCode())
                .isEqualTo(400);
    }

    @Test
    void aDeletedTopicLeavesTheBrokerItsFilesAndItsMetricsAndCanBeCreatedAgain() throws Exception {
        start(BrokerConfig.builder(dir).build());
        publish("temp", "a", "b");
        fetch("temp", "s", "c1", 1);
        assertThat(send("GET", "/metrics", null).body()).contains("topic=\"temp\"");
        assertThat(json("DELETE", "/api/v1/topics/temp", null).get("deleted").asText())
                .isEqualTo("temp");
        assertThat(send("GET", "/api/v1/topics/temp", null).statusCode()).isEqualTo(404);
        assertThat(Files.exists(dir.resolve("topics").resolve("temp"))).isFalse();
        assertThat(send("GET", "/metrics", null).body()).doesNotContain("topic=\"temp\"");
        assertThat(send("DELETE", "/api/v1/topics/temp", null).statusCode()).isEqualTo(404);

        PublishResult again = publish("temp", "c");
        assertThat(again.offsets()).containsExactly(0L);
        assertThat(text(fetch("temp", "s", "c1", 10).get(0))).isEqualTo("c");
        assertThat(send("GET", "/metrics", null).body()).contains("topic=\"temp\"");
    }

    @Test
    void consumersAndConnectionsAreListedAndClosed() throws Exception {
        start(BrokerConfig.builder(dir).build());
        publish("orders", "a", "b");
        assertThat(fetch("orders", "billing", "c1", 2)).hasSize(2);

        JsonNode consumers = json("GET", "/api/v1/consumers", null);
        assertThat(consumers).hasSize(1);
        JsonNode c1 = consumers.get(0);
        assertThat(c1.get("topic").asText()).isEqualTo("orders");
        assertThat(c1.get("id").asText()).isEqualTo("c1");
        assertThat(c1.get("unacknowledged").asInt()).isEqualTo(2);
        String connectionId = c1.get("connections").get(0).asText();

        JsonNode connections = json("GET", "/api/v1/connections", null);
        assertThat(connections).hasSize(1);
        assertThat(connections.get(0).get("id").asText()).isEqualTo(connectionId);
        assertThat(connections.get(0).get("calls").asLong()).isEqualTo(2);
        assertThat(connections.get(0).get("remote").asText()).contains("127.0.0.1");
        assertThat(connections.get(0).get("consumers").get(0).asText()).isEqualTo("orders/billing/c1");

        // closing the consumer gives its two messages back
        JsonNode closed = json("DELETE", "/api/v1/topics/orders/subscriptions/billing/consumers/c1", null);
        assertThat(closed.get("redelivered").asInt()).isEqualTo(2);
        assertThat(json("GET", "/api/v1/topics/orders/subscriptions/billing", null)
                        .get("consumerList"))
                .isEmpty();
        assertThat(send("DELETE", "/api/v1/topics/orders/subscriptions/billing/consumers/c1", null)
                        .statusCode())
                .isEqualTo(404);
        List<Delivery> redelivered = fetch("orders", "billing", "c2", 2);
        assertThat(offsets(redelivered)).containsExactly(0L, 1L);
        assertThat(redelivered.get(0).deliveryCount()).isEqualTo(2);

        // closing the connection detaches c2 and the client reconnects on its next call
        assertThat(json("DELETE", "/api/v1/connections/" + connectionId, null)
                        .get("closed")
                        .asText())
                .isEqualTo(connectionId);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> broker.stats("orders", "billing").consumers() == 0);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> json("GET", "/api/v1/connections", null).isEmpty());
        await().atMost(Duration.ofSeconds(20))
                .ignoreExceptions()
                .until(() -> fetch("orders", "billing", "c3", 2).size() == 2);
        JsonNode now = json("GET", "/api/v1/connections", null);
        assertThat(now).hasSize(1);
        assertThat(now.get(0).get("id").asText()).isNotEqualTo(connectionId);
        assertThat(send("DELETE", "/api/v1/connections/nothing", null).statusCode())
                .isEqualTo(404);
    }
}
