package dev.courier.mq.broker.internal;

import dev.courier.mq.broker.BrokerConfig;
import dev.courier.mq.broker.storage.AppendRecord;
import dev.courier.mq.broker.storage.FsyncPolicy;
import dev.courier.mq.broker.storage.LogConfig;
import dev.courier.mq.broker.testing.ForwardingStorage;
import dev.courier.mq.client.protocol.FetchRequest;
import dev.courier.mq.client.protocol.StartPosition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An operator deletes a topic while the timer thread's housekeeping is writing in its directory: the
 * delete waits for that run, and no run writes after it, so the directory is gone for good (a file
 * written after the delete would bring the topic back, half empty, on the next start).
 */
class TopicDeleteRaceTest {

    @TempDir
    Path dir;

    @Test
    void aTopicIsDeletedOnlyAfterTheHousekeepingRunInItsDirectoryAndNoneRunsAfter() throws Exception {
        CountDownLatch inForce = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean armed = new AtomicBoolean();
        ForwardingStorage storage = new ForwardingStorage() {
            @Override
            protected void beforeForce(Path file) throws IOException {
                if (file.getFileName().toString().equals("s.cursor") && armed.getAndSet(false)) {
                    inForce.countDown();
                    try {
                        if (!release.await(30, TimeUnit.SECONDS)) {
                            throw new IOException("the test never released the force");
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException(e);
                    }
                }
            }
        };
        BrokerConfig config = BrokerConfig.builder(dir)
                .storage(storage)
                .housekeeping(Duration.ofHours(1)) // run by hand
                .log(LogConfig.builder().fsync(FsyncPolicy.NEVER).build())
                .build();
        try (Topics topics = new Topics(config)) {
            Topic t = topics.topic("t", null);
            Subscription s = t.subscription("s", StartPosition.EARLIEST, null, false);
            t.log().append(List.of(AppendRecord.of(new byte[10])));
            s.fetch(new FetchRequest("t", "s", "c1", 1, 1, 0, 60_000)).get(5, TimeUnit.SECONDS);
            s.ack("c1", new long[] {0}); // the cursor has an entry to force

            armed.set(true);
            CompletableFuture<Void> housekeeping = CompletableFuture.runAsync(t::housekeeping);
            assertThat(inForce.await(10, TimeUnit.SECONDS))
                    .as("housekeeping reached the cursor's force")
                    .isTrue();
            CompletableFuture<Boolean> deleted = new CompletableFuture<>();
            Thread deleter = new Thread(
                    () -> {
                        try {
                            deleted.complete(topics.deleteTopic("t"));
                        } catch (RuntimeException e) {
                            deleted.completeExceptionally(e);
                        }
                    },
                    "deleter");
            deleter.start();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> deleter.getState() == Thread.State.BLOCKED || deleted.isDone());
            assertThat(deleted)
                    .as("the delete waits for the housekeeping run in the topic's directory")
                    .isNotDone();

            release.countDown();
            housekeeping.get(10, TimeUnit.SECONDS);
            assertThat(deleted.get(10, TimeUnit.SECONDS)).isTrue();
            t.housekeeping(); // a run that had already picked the topic: writes nothing now
            assertThat(Files.exists(dir.resolve("topics").resolve("t")))
                    .as("the topic's directory")
                    .isFalse();
        }
    }
}
