package dev.courier.mq.broker.internal;

import dev.courier.mq.broker.storage.Storage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The schedule of delayed messages keeps only its window in memory. */
class DelayQueueTest {

    @TempDir
    Path dir;

    @Test
    void aMillionMessagesDueLaterAreOnDiskNotInMemoryAndComeBackInDueOrder() throws Exception {
        long now = 1_000_000_000_000L;
        DelayQueue q = DelayQueue.inMemory(Storage.files(), dir, now);
        q.create(0);
        int n = 1_000_000;
        long spread = Duration.ofDays(30).toMillis();
        for (int i = 0; i < n; i++) {
            // due times spread over 30 days, in a scrambled order
            long due = now + 2 * DelayQueue.WINDOW_MILLIS + (i * 7919L % n) * (spread / n);
            q.schedule(i, due);
        }

        assertThat(q.scheduled()).isEqualTo(n);
        assertThat(q.windowSize())
                .as("nothing due within the window is in memory")
                .isZero();
        long bytes;
        try (Stream<Path> files = Files.list(dir.resolve(DelayQueue.DIR))) {
            bytes = files.filter(f -> f.toString().endsWith(".due"))
                    .mapToLong(f -> f.toFile().length())
                    .sum();
        }
        assertThat(bytes).isEqualTo(16L * n);

        // walk the clock through the first day: only the buckets the window reaches come into memory
        long last = Long.MIN_VALUE;
        int taken = 0;
        int mostInMemory = 0;
        for (long t = now; t <= now + Duration.ofDays(1).toMillis(); t += DelayQueue.BUCKET_MILLIS) {
            long[] due = q.takeDue(t, Integer.MAX_VALUE);
            mostInMemory = Math.max(mostInMemory, q.windowSize());
            q.moved(due);
            for (long offset : due) {
                long at = now + 2 * DelayQueue.WINDOW_MILLIS + (offset * 7919L % n) * (spread / n);
                assertThat(at).isLessThanOrEqualTo(t).isGreaterThanOrEqualTo(last);
                last = at;
            }
            taken += due.length;
        }
        assertThat(taken).isBetween(n / 31, n / 29);
        assertThat(mostInMemory)
                .as("a couple of minutes' worth, not the schedule")
                .isLessThan(n / 10_000);
        assertThat(q.scheduled()).isEqualTo(n - taken);
    }
}
