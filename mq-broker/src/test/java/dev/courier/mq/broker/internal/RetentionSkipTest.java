package dev.courier.mq.broker.internal;

import dev.courier.mq.broker.BrokerConfig;
import dev.courier.mq.broker.storage.AppendRecord;
import dev.courier.mq.broker.storage.FsyncPolicy;
import dev.courier.mq.broker.storage.LogConfig;
import dev.courier.mq.client.protocol.Delivery;
import dev.courier.mq.client.protocol.FetchRequest;
import dev.courier.mq.client.protocol.StartPosition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A fetch that runs after retention deleted segments but before housekeeping moved the subscriptions
 * (the timer thread does both, so this window is real): the floor jumps past the deleted range at once.
 */
class RetentionSkipTest {

    @TempDir
    Path dir;

    @Test
    void aFetchBelowTheFirstRetainedOffsetJumpsTheFloorPastTheDeletedRange() throws Exception {
        BrokerConfig config = BrokerConfig.builder(dir)
                .housekeeping(Duration.ofHours(1)) // never runs here
                .log(LogConfig.builder()
                        .segmentBytes(1024)
                        .fsync(FsyncPolicy.NEVER)
                        .retention(Duration.ofHours(1))
                        .build())
                .build();
        try (Topics topics = new Topics(config)) {
            Topic t = topics.topic("t", null);
            Subscription s = t.subscription("s", StartPosition.EARLIEST, null, false);
            for (int i = 0; i < 12; i++) {
                t.log().append(List.of(AppendRecord.of(new byte[200]))); // segments 0, 4 and 8
            }
            List<Delivery> got = fetch(s, 10, 6);
            assertThat(got).extracting(Delivery::offset).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
            s.ack("c1", new long[] {0, 1}); // 2..5 stay held: the floor (2) is below the next to read (6)
            Path topicDir = dir.resolve("topics").resolve("t");
            for (long base : new long[] {0, 4}) {
                Files.setLastModifiedTime(
                        topicDir.resolve(String.format("%020d.log", base)),
                        FileTime.fromMillis(
                                System.currentTimeMillis() - Duration.ofHours(2).toMillis()));
            }
            assertThat(t.log().applyRetention(s.ackFloor())).isEqualTo(2);
            assertThat(s.ackFloor()).as("housekeeping has not moved it yet").isEqualTo(2);
            long cursorBytes = Files.size(cursor());

            assertThat(fetch(s, 10, 10)).extracting(Delivery::offset).containsExactly(8L, 9L, 10L, 11L);
            assertThat(s.ackFloor()).isEqualTo(8);
            assertThat(Files.size(cursor()) - cursorBytes)
                    .as("a FLOOR and the fetch's HANDED_OUT entry, not an ACK per missing offset")
                    .isEqualTo(2 * CursorLog.ENTRY_SIZE);
            assertThat(s.ack("c1", new long[] {2, 3, 4, 5})).as("held but gone").isZero();
        }
    }

    private Path cursor() {
        return dir.resolve("topics").resolve("t").resolve("subscriptions").resolve("s.cursor");
    }

    private static List<Delivery> fetch(Subscription s, int prefetch, int max) throws Exception {
        return s.fetch(new FetchRequest("t", "s", "c1", prefetch, max, 0, 60_000))
                .get(5, TimeUnit.SECONDS)
                .messages();
    }
}
