package dev.courier.mq.broker;

import dev.courier.admin.AdminServer;
import dev.courier.mq.broker.storage.FsyncPolicy;
import dev.courier.mq.broker.storage.LogConfig;
import dev.courier.mq.client.protocol.AckRequest;
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

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The broker's admin port: /metrics after known traffic. */
class BrokerMetricsTest {

    @TempDir
    Path dir;

    private Broker broker;
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

    private void start(FsyncPolicy fsync) {
        broker = EmbeddedBroker.start(BrokerConfig.builder(dir)
                .log(LogConfig.builder().fsync(fsync).build())
                .build());
        rpc = RpcClient.builder().build();
        svc = rpc.reference(BrokerService.class)
                .address("127.0.0.1", broker.port())
                .timeout(Duration.ofSeconds(10))
                .build();
    }

    private String scrape(AdminServer admin) throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(admin.url() + "/metrics"))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /** The value of the series {@code name{labels}}, or NaN when absent. */
    private static double value(String scrape, String name, String labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name + "{" + labels + "}") + " (\\S+)$")
                .matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    private PublishResult publish(long producer, long firstSequence, String... payloads) throws Exception {
        List<byte[]> list = new ArrayList<>();
        for (String p : payloads) {
            list.add(p.getBytes(StandardCharsets.UTF_8));
        }
        return svc.publish(new PublishRequest("orders", producer, firstSequence, list))
                .get(10, TimeUnit.SECONDS);
    }

    @Test
    void metricsAfterKnownTrafficCountPublishesDeliveriesAcksAndTheBacklog() throws Exception {
        start(FsyncPolicy.ALWAYS);
        AdminServer admin = broker.openAdmin("127.0.0.1", 0, null);
        publish(7, 0, "a", "b", "c", "d", "e");
        assertThat(publish(7, 3, "d", "e", "f").duplicates()).isEqualTo(2); // d and e again: dropped

        List<Delivery> got = svc.fetch(new FetchRequest("orders", "billing", "c1", 4, 4, 0, 60_000))
                .get(10, TimeUnit.SECONDS)
                .messages();
        assertThat(got).hasSize(4);
        svc.ack(new AckRequest("orders", "billing", "c1", new long[] {
                    got.get(0).offset(), got.get(1).offset()
                }))
                .get(10, TimeUnit.SECONDS);
        svc.nack(new NackRequest(
                        "orders", "billing", "c1", new long[] {got.get(2).offset()}, 0, "try later"))
                .get(10, TimeUnit.SECONDS);

        String scrape = scrape(admin);
        String topic = "topic=\"orders\"";
        String sub = "subscription=\"billing\",topic=\"orders\"";
        assertThat(value(scrape, "courier_broker_published_total", topic)).isEqualTo(6);
        assertThat(value(scrape, "courier_broker_duplicates_dropped_total", topic))
                .isEqualTo(2);
        assertThat(value(scrape, "courier_broker_delivered_total", sub)).isEqualTo(4);
        assertThat(value(scrape, "courier_broker_redelivered_total", sub)).isZero();
        assertThat(value(scrape, "courier_broker_acknowledged_total", sub)).isEqualTo(2);
        assertThat(value(scrape, "courier_broker_nacked_total", sub)).isEqualTo(1);
        // six stored, two acknowledged, one held (got[3]); the nacked one waits to be redelivered: ready
        assertThat(value(scrape, "courier_broker_unacknowledged", sub)).isEqualTo(1);
        assertThat(value(scrape, "courier_broker_ready", sub)).isEqualTo(3);
        assertThat(value(scrape, "courier_broker_consumers", sub)).isEqualTo(1);
        assertThat(value(scrape, "courier_broker_oldest_unacknowledged_age_seconds", sub))
                .isGreaterThanOrEqualTo(0);
        assertThat(value(scrape, "courier_broker_disk_bytes", topic)).isPositive();
        // fsync=always forces every append: two publishes, at least two forces timed
        assertThat(value(scrape, "courier_broker_fsync_seconds_count", "")).isNaN();
        assertThat(scrape).containsPattern("(?m)^courier_broker_fsync_seconds_count [1-9]");
        assertThat(scrape).contains("courier_broker_fsync_seconds_bucket{le=");
        assertThat(scrape).containsPattern("(?m)^courier_broker_topics [1-9]");

        List<Delivery> again = new ArrayList<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            again.addAll(svc.fetch(new FetchRequest("orders", "billing", "c1", 4, 4, 200, 60_000))
                    .get(10, TimeUnit.SECONDS)
                    .messages());
            return again.stream().anyMatch(d -> d.offset() == got.get(2).offset());
        });
        assertThat(value(scrape(admin), "courier_broker_redelivered_total", sub))
                .isEqualTo(1);
    }

    @Test
    void theAdminPortOpensOnceAndClosesWithTheBroker() throws Exception {
        start(FsyncPolicy.GROUP);
        AdminServer admin = broker.openAdmin("127.0.0.1", 0, "t0k");
        assertThatThrownBy(() -> broker.openAdmin("127.0.0.1", 0, null)).isInstanceOf(IllegalStateException.class);
        assertThat(http.send(
                                HttpRequest.newBuilder(URI.create(admin.url() + "/metrics"))
                                        .build(),
                                HttpResponse.BodyHandlers.discarding())
                        .statusCode())
                .isEqualTo(401);
        assertThat(http.send(
                                HttpRequest.newBuilder(URI.create(admin.url() + "/ready"))
                                        .build(),
                                HttpResponse.BodyHandlers.discarding())
                        .statusCode())
                .isEqualTo(200);

        broker.close();
        broker = null;
        assertThatThrownBy(() -> http.send(
                        HttpRequest.newBuilder(URI.create(admin.url() + "/live"))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.discarding()))
                .isInstanceOf(java.io.IOException.class);
    }
}
