package dev.courier.mq.broker.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Appends under load on a {@link SimulatedDisk}, cuts the power in the middle, and checks that every
 * append that was acknowledged (its durable future completed) reads back after recovery, with recovery
 * checkpoints written all along (the recovery then starts from whichever survived).
 */
class PowerLossTest {

    @TempDir
    Path root;

    /** The outcome of one run: acknowledged appends, and how many of them did not read back. */
    private record Outcome(int acknowledged, int lost, List<String> report) {}

    private Outcome run(long seed, SimulatedDisk.CrashMode mode, LogConfig.Syncer syncer) throws Exception {
        Path dataDir = root.resolve("run-" + seed + "-" + mode);
        Path dir = dataDir.resolve("topics/t");
        LogConfig config = LogConfig.builder()
                .fsync(FsyncPolicy.GROUP)
                .segmentBytes(16 << 10)
                .syncer(syncer)
                .build();
        Map<Long, String> acked = new ConcurrentHashMap<>();
        SimulatedDisk disk = SimulatedDisk.open(dataDir);
        TopicLog log = TopicLog.open("t", dir, config, disk);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger seq = new AtomicInteger();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            Thread t = new Thread(
                    () -> {
                        while (!stop.get()) {
                            List<AppendRecord> batch = new ArrayList<>();
                            List<String> payloads = new ArrayList<>();
                            for (int i = 0; i < 4; i++) {
                                String p = "m" + seq.incrementAndGet() + "-" + "x".repeat(100);
                                payloads.add(p);
                                batch.add(AppendRecord.of(p.getBytes(StandardCharsets.UTF_8)));
                            }
                            try {
                                TopicLog.Appended a = log.append(batch);
                                a.durable().whenComplete((v, e) -> {
                                    if (e == null) {
                                        for (int i = 0; i < payloads.size(); i++) {
                                            acked.put(a.offsets()[i], payloads.get(i));
                                        }
                                    }
                                });
                            } catch (StorageException e) {
                                return; // the disk is gone
                            }
                        }
                    },
                    "writer-" + w);
            t.setDaemon(true);
            writers.add(t);
            t.start();
        }
        Thread checkpointer = new Thread(
                () -> { // checkpoints as the broker's housekeeping does, crash or not
                    while (!stop.get()) {
                        log.checkpoint();
                        java.util.concurrent.locks.LockSupport.parkNanos(
                                1_000_000); // pacing, as housekeeping is periodic
                    }
                },
                "checkpointer");
        checkpointer.setDaemon(true);
        writers.add(checkpointer);
        checkpointer.start();
        Random random = new Random(seed);
        int crashAfter = 200 + random.nextInt(600);
        await().until(() -> acked.size() >= crashAfter);
        disk.crash(mode, random);
        stop.set(true);
        for (Thread t : writers) {
            t.join(10_000);
        }
        log.close();
        Map<Long, String> snapshot = Map.copyOf(acked);

        SimulatedDisk after = SimulatedDisk.open(dataDir);
        try (TopicLog reopened = TopicLog.open("t", dir, config, after)) {
            Map<Long, String> found = new java.util.HashMap<>();
            for (StoredRecord r : reopened.read(0, Integer.MAX_VALUE, Integer.MAX_VALUE)) {
                found.put(r.offset(), new String(r.payload(), StandardCharsets.UTF_8));
            }
            int lost = 0;
            for (Map.Entry<Long, String> e : snapshot.entrySet()) {
                if (!e.getValue().equals(found.get(e.getKey()))) {
                    lost++;
                }
            }
            return new Outcome(snapshot.size(), lost, reopened.recoveryReport());
        } finally {
            after.close();
        }
    }

    @ParameterizedTest
    @EnumSource(SimulatedDisk.CrashMode.class)
    void everyAcknowledgedAppendSurvivesAPowerLossInTheMiddleOfWriting(SimulatedDisk.CrashMode mode) throws Exception {
        for (long seed = 1; seed <= 4; seed++) {
            Outcome o = run(seed, mode, LogConfig.Syncer.FORCE);
            assertThat(o.acknowledged()).isGreaterThan(0);
            assertThat(o.lost())
                    .as("seed %d %s: acknowledged %d; recovery %s", seed, mode, o.acknowledged(), o.report())
                    .isZero();
        }
    }

    /** The mutation check: with the group flusher's fsync disabled, the same test must see losses. */
    @Test
    void theCheckSeesAMissingFsync() throws Exception {
        Outcome o = run(1, SimulatedDisk.CrashMode.LOSE_UNSYNCED, file -> {});
        assertThat(o.acknowledged()).isGreaterThan(0);
        assertThat(o.lost()).as("acknowledged %d", o.acknowledged()).isGreaterThan(0);
    }

    @ParameterizedTest
    @EnumSource(
            value = FsyncPolicy.class,
            names = {"ALWAYS", "GROUP"})
    void aRollIsDurableOnlyWithItsDirectorySync(FsyncPolicy fsync) throws Exception {
        // a segment created by a roll whose directory sync is lost would vanish with its records
        Path dataDir = root.resolve("roll");
        Path dir = dataDir.resolve("topics/t");
        LogConfig config = LogConfig.builder().fsync(fsync).segmentBytes(1024).build();
        SimulatedDisk disk = SimulatedDisk.open(dataDir);
        List<Long> offsets = new ArrayList<>();
        try (TopicLog log = TopicLog.open("t", dir, config, disk)) {
            for (int i = 0; i < 30; i++) {
                TopicLog.Appended a = log.append(List.of(AppendRecord.of(new byte[100])));
                a.durable().get(10, java.util.concurrent.TimeUnit.SECONDS);
                offsets.add(a.offsets()[0]);
            }
            assertThat(log.segmentBaseOffsets()).hasSizeGreaterThan(2);
            disk.crash(SimulatedDisk.CrashMode.LOSE_UNSYNCED, new Random(1));
        }
        SimulatedDisk after = SimulatedDisk.open(dataDir);
        try (TopicLog log = TopicLog.open("t", dir, config, after)) {
            assertThat(log.read(0, 100, 1 << 20))
                    .extracting(StoredRecord::offset)
                    .containsExactlyElementsOf(offsets);
        } finally {
            after.close();
        }
    }
}
