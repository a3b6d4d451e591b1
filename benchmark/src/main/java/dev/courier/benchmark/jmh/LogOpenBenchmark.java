package dev.courier.benchmark.jmh;

import dev.courier.mq.broker.storage.AppendRecord;
import dev.courier.mq.broker.storage.FsyncPolicy;
import dev.courier.mq.broker.storage.LogConfig;
import dev.courier.mq.broker.storage.TopicLog;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A topic log's restart: {@code TopicLog.open} (and close) of a 256 MiB log in 16 MiB segments of
 * 1 KiB records from 100 idempotent producers, with the recovery checkpoint ({@code checkpoint}: the
 * sealed segments restored from their indexes, the last one scanned) and without it ({@code full}:
 * every segment validated and scanned to rebuild the index and the producer table). The files are in
 * the page cache, so the figure is the cost of reading and checking, not of the disk.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class LogOpenBenchmark {

    private static final LogConfig CONFIG =
            LogConfig.builder().fsync(FsyncPolicy.NEVER).segmentBytes(16L << 20).build();

    @Param({"checkpoint", "full"})
    String recovery;

    private Path dir;

    @Setup
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("courier-jmh-open-");
        long[] sequences = new long[100];
        try (TopicLog log = TopicLog.open("bench", dir, CONFIG)) {
            byte[] payload = new byte[1024];
            for (int batch = 0; batch < 256 * 1024 / 64; batch++) {
                int producer = batch % sequences.length;
                List<AppendRecord> records = new ArrayList<>(64);
                for (int i = 0; i < 64; i++) {
                    records.add(new AppendRecord(producer + 1, sequences[producer]++, Map.of(), payload));
                }
                log.append(records);
            }
        } // closing writes the checkpoint of the last roll
        if (recovery.equals("full")) {
            Files.delete(dir.resolve("recovery-checkpoint"));
        }
    }

    @TearDown
    public void tearDown() throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Benchmark
    public int openAndClose() throws IOException {
        try (TopicLog log = TopicLog.open("bench", dir, CONFIG)) {
            return log.segmentsScannedOnOpen();
        }
    }
}
