package dev.courier.mq.broker;

import dev.courier.mq.broker.storage.FsyncPolicy;
import dev.courier.mq.broker.storage.LogConfig;
import dev.courier.mq.broker.testing.ForwardingStorage;
import dev.courier.mq.client.MqClient;
import dev.courier.mq.client.Producer;
import dev.courier.mq.client.SubscribeOptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * No fsync, directory sync or file read ever runs on one of the server's I/O threads: topics and
 * subscriptions are created, segments roll, messages are published, fetched, acknowledged and
 * redelivered, and a storage decorator records the thread of every such call.
 */
class IoThreadDisciplineTest {

    @TempDir
    Path dir;

    private final Set<String> offenders = ConcurrentHashMap.newKeySet();
    private final Set<String> seen = ConcurrentHashMap.newKeySet();

    private void record(String op) {
        String thread = Thread.currentThread().getName();
        seen.add(op);
        if (thread.startsWith("courier-server-io")) {
            offenders.add(op + " on " + thread);
        }
    }

    /** The real file system, recording who forces, syncs and reads. */
    private final class Recording extends ForwardingStorage {
        @Override
        protected void beforeRead(Path file) {
            record("read " + file.getFileName());
        }

        @Override
        protected void beforeForce(Path file) {
            record("force " + file.getFileName());
        }

        @Override
        protected void beforeSyncDirectory(Path d) {
            record("sync dir " + d.getFileName());
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = FsyncPolicy.class,
            names = {"GROUP", "NEVER"})
    void noFsyncDirectorySyncOrReadRunsOnAnIoThread(FsyncPolicy fsync) throws Exception {
        BrokerConfig config = BrokerConfig.builder(dir)
                .storage(new Recording())
                .maxDeliveries(2)
                .backoff(Duration.ofMillis(1), Duration.ofMillis(5))
                .log(LogConfig.builder().fsync(fsync).segmentBytes(4096).build())
                .build();
        try (Broker broker = EmbeddedBroker.start(config);
                MqClient client = MqClient.connect("127.0.0.1:" + broker.port())) {
            Set<String> got = ConcurrentHashMap.newKeySet();
            client.subscribe("t", "s", SubscribeOptions.defaults().prefetch(10), m -> {
                String body = new String(m.payload());
                if (body.startsWith("poison")) {
                    throw new IllegalStateException("refused"); // nacked, redelivered, then dead-lettered
                }
                got.add(body);
            });
            Producer p = client.producer("t");
            List<CompletableFuture<?>> sends = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                sends.add(p.send(((i % 50 == 0 ? "poison-" : "m-") + i + "-" + "x".repeat(200)).getBytes()));
            }
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> got.size() == 196 && broker.stats("t", "s").deadLettered() == 4);
        }
        assertThat(seen).as("the recorder sees the broker's I/O").anyMatch(op -> op.startsWith("read"));
        assertThat(offenders).isEmpty();
    }
}
