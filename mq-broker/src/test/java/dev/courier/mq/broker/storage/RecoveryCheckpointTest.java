package dev.courier.mq.broker.storage;

import dev.courier.mq.broker.testing.ForwardingStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A restart restores what the recovery checkpoint vouches for instead of reading the whole log: it reads
 * none of the segments below the recovery point, yet serves every record and still recognises every
 * producer's resends. A power loss at any step of writing a checkpoint leaves a usable one, and a
 * damaged checkpoint or index makes the restart validate every segment instead.
 */
class RecoveryCheckpointTest {

    @TempDir
    Path root;

    private static final LogConfig CONFIG =
            LogConfig.builder().fsync(FsyncPolicy.GROUP).segmentBytes(4096).build();
    /** A producer that writes only at the start, so only the checkpoint's snapshot can remember it. */
    private static final long EARLY_PRODUCER = 100;

    /** What was appended: payload by offset, and each producer's last sequence and its offset. */
    private static final class Written {
        final Map<Long, String> payloads = new TreeMap<>();
        final Map<Long, long[]> lastOfProducer = new HashMap<>();

        void append(TopicLog log, long producer, String payload) throws Exception {
            long seq = lastOfProducer.containsKey(producer) ? lastOfProducer.get(producer)[0] + 1 : 0;
            TopicLog.Appended a = log.append(
                    List.of(new AppendRecord(producer, seq, Map.of(), payload.getBytes(StandardCharsets.UTF_8))));
            a.durable().get(30, TimeUnit.SECONDS);
            payloads.put(a.offsets()[0], payload);
            lastOfProducer.put(producer, new long[] {seq, a.offsets()[0]});
        }

        void fill(TopicLog log, int count) throws Exception {
            if (payloads.isEmpty()) {
                for (int i = 0; i < 3; i++) {
                    append(log, EARLY_PRODUCER, "early-" + i);
                }
            }
            for (int i = 0; i < count; i++) {
                int k = payloads.size();
                append(log, 1 + k % 7, "m" + k + "-" + "x".repeat(200));
            }
        }

        /** Every record reads back, and every producer's last sequence is a duplicate of its original offset. */
        void check(TopicLog log) {
            Map<Long, String> found = new TreeMap<>();
            for (StoredRecord r : log.read(0, Integer.MAX_VALUE, Integer.MAX_VALUE)) {
                found.put(r.offset(), new String(r.payload(), StandardCharsets.UTF_8));
            }
            assertThat(found).isEqualTo(payloads);
            for (Map.Entry<Long, long[]> e : lastOfProducer.entrySet()) {
                TopicLog.Appended again =
                        log.append(List.of(new AppendRecord(e.getKey(), e.getValue()[0], Map.of(), new byte[1])));
                assertThat(again.duplicates()[0])
                        .as("producer %d's resend is a duplicate", e.getKey())
                        .isTrue();
                assertThat(again.offsets()[0])
                        .as("producer %d's original offset", e.getKey())
                        .isEqualTo(e.getValue()[1]);
            }
            long early = lastOfProducer.get(EARLY_PRODUCER)[0];
            assertThatThrownBy(() ->
                            log.append(List.of(new AppendRecord(EARLY_PRODUCER, early + 2, Map.of(), new byte[1]))))
                    .as("the early producer's sequence is still known")
                    .isInstanceOf(OutOfOrderSequenceException.class);
        }
    }

    private static List<Long> segmentBases(Storage storage, Path dir) throws IOException {
        return storage.list(dir).stream()
                .filter(f -> f.endsWith(Segment.SUFFIX))
                .map(f -> Long.parseLong(f.substring(0, f.length() - Segment.SUFFIX.length())))
                .sorted()
                .toList();
    }

    @Test
    void aRestartReadsNoSegmentBelowTheRecoveryPointAndStillKnowsEveryProducer() throws Exception {
        Path dir = root.resolve("t");
        Written w = new Written();
        try (TopicLog log = TopicLog.open("t", dir, CONFIG)) {
            w.fill(log, 120);
            assertThat(log.checkpoint()).isTrue();
            assertThat(log.checkpoint())
                    .as("nothing new to write until the next roll")
                    .isFalse();
            w.fill(log, 5);
        }
        for (int restart = 0; restart < 2; restart++) {
            long point = RecoveryCheckpoint.read(Storage.files(), dir).recoveryPoint();
            List<Long> bases = segmentBases(Storage.files(), dir);
            List<Long> below = bases.stream().filter(b -> b < point).toList();
            assertThat(below).hasSizeGreaterThan(3);
            WatchedStorage watched = new WatchedStorage(Storage.files());
            try (TopicLog log = TopicLog.open("t", dir, CONFIG, watched)) {
                for (long b : below) {
                    assertThat(watched.bytesRead(Segment.fileFor(dir, b)))
                            .as("bytes of segment %d read on open", b)
                            .isZero();
                }
                assertThat(log.segmentsScannedOnOpen()).isEqualTo(bases.size() - below.size());
                assertThat(log.recoveryReport()).isEmpty();
                w.check(log);
                w.fill(log, 60); // more segments, and the checkpoint goes on from restored ones
                assertThat(log.checkpoint()).isTrue();
            }
        }
    }

    /** Where the power goes while a checkpoint is written. */
    enum Step {
        BEFORE_AN_INDEX_IS_RENAMED,
        BEFORE_THE_CHECKPOINT_IS_RENAMED,
        BEFORE_THE_RENAME_IS_SYNCED
    }

    @ParameterizedTest
    @EnumSource(Step.class)
    void aPowerLossWhileACheckpointIsWrittenLeavesAUsableOne(Step step) throws Exception {
        for (SimulatedDisk.CrashMode mode : SimulatedDisk.CrashMode.values()) {
            for (long seed = 1; seed <= 3; seed++) {
                Path data = root.resolve(step + "-" + mode + "-" + seed);
                Path dir = data.resolve("t");
                Written w = new Written();
                SimulatedDisk disk = SimulatedDisk.open(data);
                WatchedStorage watched = new WatchedStorage(disk);
                try (TopicLog log = TopicLog.open("t", dir, CONFIG, watched)) {
                    w.fill(log, 60);
                    assertThat(log.checkpoint()).isTrue();
                    w.fill(log, 60);
                    Random random = new Random(seed);
                    switch (step) {
                        case BEFORE_AN_INDEX_IS_RENAMED ->
                            watched.cutPowerBeforeMoveTo(
                                    p -> p.toString().endsWith(Segment.INDEX_SUFFIX), () -> disk.crash(mode, random));
                        case BEFORE_THE_CHECKPOINT_IS_RENAMED ->
                            watched.cutPowerBeforeMoveTo(
                                    p -> p.endsWith(RecoveryCheckpoint.FILE), () -> disk.crash(mode, random));
                        case BEFORE_THE_RENAME_IS_SYNCED ->
                            watched.cutPowerBeforeSyncAfterMoveTo(
                                    p -> p.endsWith(RecoveryCheckpoint.FILE), () -> disk.crash(mode, random));
                    }
                    assertThat(log.checkpoint()).as("the power went").isFalse();
                }
                SimulatedDisk after = SimulatedDisk.open(data);
                try (TopicLog log = TopicLog.open("t", dir, CONFIG, after)) {
                    assertThat(log.recoveryReport())
                            .as("%s %s seed %d", step, mode, seed)
                            .isEmpty();
                    assertThat(log.segmentsScannedOnOpen())
                            .as("a checkpoint was used")
                            .isLessThan(segmentBases(after, dir).size());
                    w.check(log);
                } finally {
                    after.close();
                }
            }
        }
    }

    @Test
    void aCheckpointThatFindsTheDiskFullIsWrittenByALaterPass() throws Exception {
        Path data = root.resolve("full");
        Path dir = data.resolve("t");
        Written w = new Written();
        SimulatedDisk disk = SimulatedDisk.open(data);
        try (TopicLog log = TopicLog.open("t", dir, CONFIG, disk)) {
            w.fill(log, 120);
            disk.quota(disk.usedBytes());
            assertThat(log.checkpoint())
                    .as("no room for an index or the checkpoint")
                    .isFalse();
            assertThat(log.failure()).as("the log goes on").isNull();
            disk.quota(-1);
            assertThat(log.checkpoint()).isTrue();
        } finally {
            disk.close();
        }
        SimulatedDisk after = SimulatedDisk.open(data);
        try (TopicLog log = TopicLog.open("t", dir, CONFIG, after)) {
            assertThat(log.recoveryReport()).isEmpty();
            assertThat(log.segmentsScannedOnOpen())
                    .isLessThan(segmentBases(after, dir).size());
            w.check(log);
        } finally {
            after.close();
        }
    }

    /** What is done to the files a checkpoint relies on. */
    enum Damage {
        A_BYTE_OF_THE_CHECKPOINT,
        A_BYTE_OF_AN_INDEX,
        AN_INDEX_DELETED,
        A_SEGMENT_BELOW_THE_POINT_CUT,
        A_SEGMENT_BELOW_THE_POINT_DELETED
    }

    @ParameterizedTest
    @EnumSource(Damage.class)
    void aDamagedCheckpointOrIndexMakesTheRestartValidateEverySegment(Damage damage) throws Exception {
        Path dir = root.resolve("t");
        Written w = new Written();
        try (TopicLog log = TopicLog.open("t", dir, CONFIG)) {
            w.fill(log, 120);
            assertThat(log.checkpoint()).isTrue();
        }
        List<Long> bases = segmentBases(Storage.files(), dir);
        Path index = Segment.indexFileFor(dir, bases.get(1));
        switch (damage) {
            case A_BYTE_OF_THE_CHECKPOINT -> flipByte(RecoveryCheckpoint.fileIn(dir), 20);
            case A_BYTE_OF_AN_INDEX -> flipByte(index, 30);
            case AN_INDEX_DELETED -> Files.delete(index);
            case A_SEGMENT_BELOW_THE_POINT_CUT -> {
                // the last record of segment 1 loses its end: a torn tail the validation must find and cut
                Path segment = Segment.fileFor(dir, bases.get(1));
                try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
                    ch.truncate(ch.size() - 10);
                }
                long torn = bases.get(2) - 1;
                w.payloads.remove(torn);
                w.lastOfProducer.values().removeIf(last -> last[1] == torn);
            }
            case A_SEGMENT_BELOW_THE_POINT_DELETED -> {
                // its offsets are in no segment: the validation reports them missing
                Files.delete(Segment.fileFor(dir, bases.get(1)));
                Files.delete(index);
                w.payloads.keySet().removeIf(offset -> offset >= bases.get(1) && offset < bases.get(2));
                w.lastOfProducer.values().removeIf(last -> last[1] >= bases.get(1) && last[1] < bases.get(2));
            }
        }
        try (TopicLog log = TopicLog.open("t", dir, CONFIG)) {
            assertThat(String.join("\n", log.recoveryReport())).contains("recovery checkpoint cannot be used");
            boolean deleted = damage == Damage.A_SEGMENT_BELOW_THE_POINT_DELETED;
            assertThat(log.segmentsScannedOnOpen()).isEqualTo(bases.size() - (deleted ? 1 : 0));
            if (damage == Damage.A_SEGMENT_BELOW_THE_POINT_CUT || deleted) {
                assertThat(String.join("\n", log.recoveryReport())).contains(deleted ? "offsets missing" : "torn tail");
                Map<Long, String> found = new TreeMap<>();
                for (StoredRecord r : log.read(0, Integer.MAX_VALUE, Integer.MAX_VALUE)) {
                    found.put(r.offset(), new String(r.payload(), StandardCharsets.UTF_8));
                }
                assertThat(found).isEqualTo(w.payloads);
            } else {
                w.check(log);
            }
        }
    }

    private static void flipByte(Path file, long position) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, position);
            b.put(0, (byte) (b.get(0) ^ 0x5A)).rewind();
            ch.write(b, position);
        }
    }

    /** A {@link Storage} that counts the bytes read from each file and can cut the power at a chosen call. */
    static final class WatchedStorage extends ForwardingStorage {
        private final Map<Path, LongAdder> read = new ConcurrentHashMap<>();
        private volatile Predicate<Path> moveTarget = p -> false;
        private volatile Predicate<Path> syncAfterMoveTarget = p -> false;
        private volatile Path lastMovedTo;
        private volatile Runnable cut = () -> {};

        WatchedStorage(Storage inner) {
            super(inner);
        }

        long bytesRead(Path file) {
            LongAdder a = read.get(file.toAbsolutePath().normalize());
            return a == null ? 0 : a.sum();
        }

        void cutPowerBeforeMoveTo(Predicate<Path> target, Runnable crash) {
            cut = crash;
            moveTarget = target;
        }

        void cutPowerBeforeSyncAfterMoveTo(Predicate<Path> target, Runnable crash) {
            cut = crash;
            syncAfterMoveTarget = target;
        }

        @Override
        protected void afterRead(Path file, int bytes) {
            read.computeIfAbsent(file.toAbsolutePath().normalize(), k -> new LongAdder())
                    .add(Math.max(0, bytes));
        }

        @Override
        protected void beforeMove(Path from, Path to) throws IOException {
            if (moveTarget.test(to)) {
                cut.run();
                throw new IOException("the power went before " + from + " was renamed");
            }
            lastMovedTo = to;
        }

        @Override
        protected void beforeSyncDirectory(Path dir) throws IOException {
            Path moved = lastMovedTo;
            if (moved != null && syncAfterMoveTarget.test(moved)) {
                cut.run();
                throw new IOException("the power went before " + dir + " was synced");
            }
        }
    }
}
