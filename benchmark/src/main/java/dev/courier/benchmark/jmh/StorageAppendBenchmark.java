package dev.courier.benchmark.jmh;

import dev.courier.mq.broker.storage.AppendRecord;
import dev.courier.mq.broker.storage.FsyncPolicy;
import dev.courier.mq.broker.storage.LogConfig;
import dev.courier.mq.broker.storage.TopicLog;
import org.openjdk.jmh.annotations.Benchmark;
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
import java.util.stream.Stream;

/** The broker's storage engine: appending a batch of 1 KiB records and waiting until they are durable. */
@State(Scope.Benchmark)
public class StorageAppendBenchmark {

    @Param({"1", "64"})
    int batch;

    private Path dir;
    private TopicLog log;
    private List<AppendRecord> records;

    @Setup
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("courier-jmh-log-");
        log = TopicLog.open(
                "bench", dir, LogConfig.builder().fsync(FsyncPolicy.GROUP).build());
        records = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            records.add(AppendRecord.of(new byte[1024]));
        }
    }

    @TearDown
    public void tearDown() throws IOException {
        log.close();
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Benchmark
    public void appendAndWaitDurable() {
        log.append(records).durable().join();
    }
}
