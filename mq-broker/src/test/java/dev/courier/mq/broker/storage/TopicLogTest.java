package dev.courier.mq.broker.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class TopicLogTest {

    @TempDir
    Path dir;

    private static AppendRecord rec(String s) {
        return AppendRecord.of(s.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> payloads(List<StoredRecord> records) {
        return records.stream()
                .map(r -> new String(r.payload(), StandardCharsets.UTF_8))
                .toList();
    }

    private static LogConfig never() {
        return LogConfig.builder().fsync(FsyncPolicy.NEVER).build();
    }

    private Path onlySegment() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".log")).findFirst().orElseThrow();
        }
    }

    @Test
    void appendedRecordsReadBackInOrderWithOffsets() throws Exception {
        try (TopicLog log = TopicLog.open("t", dir, LogConfig.defaults())) {
            TopicLog.Appended a = log.append(List.of(rec("a"), rec("b"), rec("c")));
            assertThat(a.offsets()).containsExactly(0, 1, 2);
            a.durable().get(5, TimeUnit.SECONDS);
            List<StoredRecord> read = log.read(0, 10, 1 << 20);
            assertThat(payloads(read)).containsExactly("a", "b", "c");
            assertThat(read).extracting(StoredRecord::offset).containsExactly(0L, 1L, 2L);
            assertThat(payloads(log.read(1, 1, 1 << 20))).containsExactly("b");
        }
    }

    @Test
    void sparseIndexFindsEveryOffset() throws Exception {
        LogConfig config = LogConfig.builder()
                .fsync(FsyncPolicy.NEVER)
                .indexIntervalBytes(200)
                .build();
        try (TopicLog log = TopicLog.open("t", dir, config)) {
            for (int i = 0; i < 500; i++) {
                log.append(List.of(rec("m" + i + "-" + "x".repeat(i % 37))));
            }
            for (int i = 0; i < 500; i += 7) {
                List<StoredRecord> r = log.read(i, 1, 1 << 20);
                assertThat(r).hasSize(1);
                assertThat(r.get(0).offset()).isEqualTo(i);
                assertThat(new String(r.get(0).payload(), StandardCharsets.UTF_8))
                        .startsWith("m" + i + "-");
            }
        }
        // the index is rebuilt on open and still answers
        try (TopicLog log = TopicLog.open("t", dir, config)) {
            assertThat(log.read(321, 1, 1 << 20).get(0).offset()).isEqualTo(321);
            assertThat(log.read(0, 1000, 1 << 20)).hasSize(500);
        }
    }

    @Test
    void segmentRollsAtConfiguredSize() throws Exception {
        LogConfig config =
                LogConfig.builder().fsync(FsyncPolicy.NEVER).segmentBytes(1024).build();
        byte[] payload = new byte[200];
        try (TopicLog log = TopicLog.open("t", dir, config)) {
            for (int i = 0; i < 20; i++) {
                log.append(List.of(AppendRecord.of(payload)));
            }
            // 244 bytes a record: 4 records fit in 1024
            assertThat(log.segmentBaseOffsets()).containsExactly(0L, 4L, 8L, 12L, 16L);
            assertThat(log.read(0, 100, 1 << 20)).hasSize(20);
        }
        try (TopicLog log = TopicLog.open("t", dir, config)) {
            assertThat(log.segmentBaseOffsets()).containsExactly(0L, 4L, 8L, 12L, 16L);
            assertThat(log.append(List.of(AppendRecord.of(payload))).offsets()).containsExactly(20);
        }
    }

    @Test
    void tornTailIsCutAtEveryOffsetOfTheLastRecord() throws Exception {
        Path original = dir.resolve("original");
        try (TopicLog log = TopicLog.open("t", original, never())) {
            for (int i = 0; i < 5; i++) {
                log.append(List.of(rec("record-" + i)));
            }
        }
        Path segment = original.resolve(String.format("%020d.log", 0));
        byte[] bytes = Files.readAllBytes(segment);
        int lastSize = RecordFormat.HEADERS_OFFSET + "record-4".length();
        int lastStart = bytes.length - lastSize;
        for (int cut = lastStart; cut < bytes.length; cut++) {
            Path copy = dir.resolve("cut-" + cut);
            Files.createDirectories(copy);
            Files.write(copy.resolve(segment.getFileName()), java.util.Arrays.copyOf(bytes, cut));
            try (TopicLog log = TopicLog.open("t", copy, never())) {
                assertThat(payloads(log.read(0, 100, 1 << 20)))
                        .as("cut at %d", cut)
                        .containsExactly("record-0", "record-1", "record-2", "record-3");
                if (cut > lastStart) {
                    assertThat(log.recoveryReport()).singleElement().asString().contains("torn tail");
                } else {
                    assertThat(log.recoveryReport()).isEmpty();
                }
                assertThat(log.append(List.of(rec("after"))).offsets()).containsExactly(4);
                assertThat(payloads(log.read(4, 1, 1 << 20))).containsExactly("after");
            }
            assertThat(Files.size(copy.resolve(segment.getFileName())))
                    .isEqualTo(bytes.length - "record-4".length() + "after".length());
        }
    }

    @Test
    void garbageAfterTheLastRecordIsCut() throws Exception {
        try (TopicLog log = TopicLog.open("t", dir, never())) {
            log.append(List.of(rec("a"), rec("b")));
        }
        Path seg = onlySegment();
        long valid = Files.size(seg);
        Files.write(seg, new byte[300], StandardOpenOption.APPEND); // a zero-filled tail, as after a crash
        try (TopicLog log = TopicLog.open("t", dir, never())) {
            assertThat(payloads(log.read(0, 10, 1 << 20))).containsExactly("a", "b");
            assertThat(log.recoveryReport()).hasSize(1);
        }
        assertThat(Files.size(seg)).isEqualTo(valid);
    }

    @Test
    void corruptMiddleRecordIsFencedOffAndEveryValidRecordStaysReadable() throws Exception {
        try (TopicLog log = TopicLog.open("t", dir, never())) {
            for (int i = 0; i < 5; i++) {
                log.append(List.of(rec("record-" + i)));
            }
        }
        Path seg = onlySegment();
        int recordSize = RecordFormat.HEADERS_OFFSET + "record-0".length();
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {'X'}), 2L * recordSize + RecordFormat.HEADERS_OFFSET + 2);
        }
        try (TopicLog log = TopicLog.open("t", dir, never())) {
            assertThat(String.join("\n", log.recoveryReport()))
                    .contains("damaged")
                    .contains("bad CRC")
                    .contains("position " + 2 * recordSize)
                    .contains("offsets missing after damage: 2..2");
            assertThat(log.missingOffsets())
                    .singleElement()
                    .satisfies(m -> assertThat(m).containsExactly(2, 3));
            assertThat(Files.size(seg)).as("nothing is cut").isEqualTo(5L * recordSize);
            assertThat(payloads(log.read(0, 10, 1 << 20)))
                    .containsExactly("record-0", "record-1", "record-3", "record-4");
            // new records go to a new segment and never reuse the damaged segment's offsets
            assertThat(log.append(List.of(rec("next"))).offsets()).containsExactly(5);
            assertThat(log.segmentBaseOffsets()).containsExactly(0L, 5L);
            assertThat(payloads(log.read(3, 10, 1 << 20))).containsExactly("record-3", "record-4", "next");
        }
    }

    /**
     * Damage to any byte of a middle record's header (its length field included, which the scan must
     * not trust) loses that record only: the valid records after it are never cut.
     */
    @Test
    void damageToAnyHeaderByteOfAMiddleRecordNeverCutsTheValidRecordsAfterIt() throws Exception {
        Path original = dir.resolve("original");
        int count = 100;
        try (TopicLog log = TopicLog.open("t", original, never())) {
            for (int i = 0; i < count; i++) {
                log.append(List.of(rec(String.format("record-%03d", i))));
            }
        }
        Path segment;
        try (Stream<Path> s = Files.list(original)) {
            segment = s.filter(p -> p.toString().endsWith(".log")).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(segment);
        int recordSize = bytes.length / count;
        int victim = 50;
        for (int b = 0; b < RecordFormat.HEADERS_OFFSET; b++) {
            for (byte flip : new byte[] {(byte) 0x01, (byte) 0x80, (byte) 0xFF}) {
                Path copy = dir.resolve("copy-" + b + "-" + (flip & 0xFF));
                Files.createDirectories(copy);
                byte[] damaged = bytes.clone();
                damaged[victim * recordSize + b] ^= flip;
                Files.write(copy.resolve(segment.getFileName()), damaged);
                try (TopicLog log = TopicLog.open("t", copy, never())) {
                    List<StoredRecord> read = log.read(0, 1000, 64 << 20);
                    assertThat(read).as("byte %d xor %d", b, flip & 0xFF).hasSizeGreaterThanOrEqualTo(count - 1);
                    assertThat(read)
                            .extracting(StoredRecord::offset)
                            .as("byte %d", b)
                            .containsAll(java.util.stream.LongStream.range(0, count)
                                    .filter(o -> o != victim)
                                    .boxed()
                                    .toList());
                    assertThat(Files.size(copy.resolve(segment.getFileName()))).isEqualTo(bytes.length);
                }
            }
        }
    }

    @Test
    void groupCommitAcknowledgesOnlyAfterTheFsyncReturns() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        LogConfig config = LogConfig.builder()
                .fsync(FsyncPolicy.GROUP)
                .syncer(ch -> {
                    entered.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    ch.force(false);
                })
                .build();
        try (TopicLog log = TopicLog.open("t", dir, config)) {
            TopicLog.Appended first = log.append(List.of(rec("a")));
            assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
            TopicLog.Appended second = log.append(List.of(rec("b"), rec("c")));
            await().during(Duration.ofMillis(50))
                    .atMost(Duration.ofSeconds(1))
                    .until(() -> !first.durable().isDone() && !second.durable().isDone());
            assertThat(log.durableOffset()).isZero();
            assertThat(log.read(0, 10, 1 << 20))
                    .as("consumers never see past the durable offset")
                    .isEmpty();
            release.countDown();
            first.durable().get(5, TimeUnit.SECONDS);
            second.durable().get(5, TimeUnit.SECONDS); // the next group covers b and c
            assertThat(payloads(log.read(0, 10, 1 << 20))).containsExactly("a", "b", "c");
        }
    }

    @Test
    void failedFsyncStopsWritesAndNeverAcknowledges() throws Exception {
        LogConfig config = LogConfig.builder()
                .fsync(FsyncPolicy.GROUP)
                .syncer(ch -> {
                    throw new IOException("injected EIO");
                })
                .build();
        try (TopicLog log = TopicLog.open("t", dir, config)) {
            TopicLog.Appended a = log.append(List.of(rec("a")));
            assertThatThrownBy(() -> a.durable().get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(StorageException.class);
            assertThat(log.failure()).hasMessageContaining("injected EIO");
            assertThatThrownBy(() -> log.append(List.of(rec("b")))).isInstanceOf(StorageException.class);
            assertThat(log.read(0, 10, 1 << 20)).isEmpty();
        }
    }

    /**
     * A durable future's callbacks run with the log's lock free: a callback that needs another lock
     * (a subscription dead-lettering on a failing fsync) can never deadlock against an appender.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(FsyncPolicy.class)
    void durableFuturesCompleteOutsideTheLogLock(FsyncPolicy fsync) throws Exception {
        for (boolean failing : new boolean[] {false, true}) {
            if (failing && fsync == FsyncPolicy.NEVER) {
                continue;
            }
            Path d = dir.resolve(fsync + "-" + failing);
            LogConfig config = LogConfig.builder()
                    .fsync(fsync)
                    .syncer(ch -> {
                        if (failing) {
                            throw new IOException("injected EIO");
                        }
                        ch.force(false);
                    })
                    .build();
            try (TopicLog log = TopicLog.open("t", d, config)) {
                java.util.concurrent.CompletableFuture<Boolean> lockFree =
                        new java.util.concurrent.CompletableFuture<>();
                TopicLog.Appended a;
                try {
                    a = log.append(List.of(rec("a")));
                } catch (StorageException e) {
                    assertThat(failing).isTrue(); // fsync=always fails in the call itself
                    continue;
                }
                a.durable().whenComplete((v, e) -> {
                    Thread other = new Thread(log::endOffset); // takes the append lock
                    other.start();
                    try {
                        other.join(5_000);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                    }
                    lockFree.complete(!other.isAlive());
                });
                assertThat(lockFree.get(20, TimeUnit.SECONDS))
                        .as("%s failing=%s", fsync, failing)
                        .isTrue();
            }
        }
    }

    @Test
    void alwaysPolicyIsDurableOnReturn() throws Exception {
        List<String> forced = new ArrayList<>();
        LogConfig config = LogConfig.builder()
                .fsync(FsyncPolicy.ALWAYS)
                .syncer(ch -> {
                    forced.add("f");
                    ch.force(false);
                })
                .build();
        try (TopicLog log = TopicLog.open("t", dir, config)) {
            TopicLog.Appended a = log.append(List.of(rec("a")));
            assertThat(a.durable()).isDone();
            assertThat(forced).hasSize(1);
            assertThat(log.durableOffset()).isEqualTo(1);
        }
    }

    @Test
    void retriedProducerSequenceIsNotAppendedTwiceEvenAfterReopen() throws Exception {
        try (TopicLog log = TopicLog.open("t", dir, LogConfig.defaults())) {
            TopicLog.Appended a = log.append(List.of(
                    new AppendRecord(7, 1, java.util.Map.of(), "a".getBytes()),
                    new AppendRecord(7, 2, java.util.Map.of(), "b".getBytes())));
            a.durable().get(5, TimeUnit.SECONDS);
            TopicLog.Appended retry = log.append(List.of(
                    new AppendRecord(7, 2, java.util.Map.of(), "b".getBytes()),
                    new AppendRecord(7, 3, java.util.Map.of(), "c".getBytes())));
            assertThat(retry.offsets()).containsExactly(1, 2);
            assertThat(retry.duplicates()).containsExactly(true, false);
            retry.durable().get(5, TimeUnit.SECONDS);
        }
        try (TopicLog log = TopicLog.open("t", dir, LogConfig.defaults())) {
            TopicLog.Appended retry = log.append(List.of(new AppendRecord(7, 3, java.util.Map.of(), "c".getBytes())));
            assertThat(retry.duplicates()).containsExactly(true);
            assertThat(retry.offsets()).containsExactly(2);
            retry.durable().get(5, TimeUnit.SECONDS);
            assertThat(payloads(log.read(0, 10, 1 << 20))).containsExactly("a", "b", "c");
        }
    }

    @Test
    void aBatchThatSkipsSequencesOfAKnownProducerIsRefusedWhole() throws Exception {
        try (TopicLog log = TopicLog.open("t", dir, never())) {
            log.append(List.of(new AppendRecord(9, 1, java.util.Map.of(), "a".getBytes())))
                    .durable()
                    .get(5, TimeUnit.SECONDS);
            // sequence 2 went missing (its batch failed); 3 and 4 must not be stored, or a resend of 2
            // would later look like a duplicate and be dropped
            assertThatThrownBy(() -> log.append(List.of(
                            new AppendRecord(9, 3, java.util.Map.of(), "c".getBytes()),
                            new AppendRecord(9, 4, java.util.Map.of(), "d".getBytes()))))
                    .isInstanceOf(OutOfOrderSequenceException.class)
                    .hasMessageContaining("last stored is 1");
            assertThat(log.endOffset()).isEqualTo(1);
            // the resend from the oldest unacknowledged message goes through, duplicates and all
            TopicLog.Appended resend = log.append(List.of(
                    new AppendRecord(9, 1, java.util.Map.of(), "a".getBytes()),
                    new AppendRecord(9, 2, java.util.Map.of(), "b".getBytes()),
                    new AppendRecord(9, 3, java.util.Map.of(), "c".getBytes())));
            assertThat(resend.duplicates()).containsExactly(true, false, false);
            // a producer never seen may start anywhere, and producer id 0 is not idempotent at all
            log.append(List.of(new AppendRecord(10, 500, java.util.Map.of(), "x".getBytes())));
            log.append(List.of(AppendRecord.of("y".getBytes()), AppendRecord.of("z".getBytes())));
            assertThat(payloads(log.read(0, 10, 1 << 20))).containsExactly("a", "b", "c", "x", "y", "z");
        }
    }

    @Test
    void retentionDeletesOnlyWholeSegmentsBelowTheAckFloor() throws Exception {
        LogConfig config =
                LogConfig.builder().fsync(FsyncPolicy.NEVER).segmentBytes(1024).build();
        try (TopicLog log = TopicLog.open("t", dir, config)) {
            for (int i = 0; i < 12; i++) {
                log.append(List.of(AppendRecord.of(new byte[200])));
            }
            assertThat(log.segmentBaseOffsets()).containsExactly(0L, 4L, 8L);
            assertThat(log.applyRetention(Long.MIN_VALUE)).isZero();
            assertThat(log.applyRetention(7)).isEqualTo(1); // offsets 4..7 not all acked
            assertThat(log.segmentBaseOffsets()).containsExactly(4L, 8L);
            assertThat(log.startOffset()).isEqualTo(4);
            assertThat(log.applyRetention(100)).isEqualTo(1); // never the active segment
            assertThat(log.segmentBaseOffsets()).containsExactly(8L);
            assertThat(log.read(0, 100, 1 << 20))
                    .extracting(StoredRecord::offset)
                    .containsExactly(8L, 9L, 10L, 11L);
        }
    }

    @Test
    void sizeLimitDeletesOldestSegments() throws Exception {
        LogConfig config = LogConfig.builder()
                .fsync(FsyncPolicy.NEVER)
                .segmentBytes(1024)
                .retentionBytes(2048)
                .build();
        try (TopicLog log = TopicLog.open("t", dir, config)) {
            for (int i = 0; i < 16; i++) {
                log.append(List.of(AppendRecord.of(new byte[200])));
            }
            log.applyRetention(Long.MIN_VALUE);
            assertThat(log.sizeBytes()).isLessThanOrEqualTo(2048);
            assertThat(log.segmentBaseOffsets()).containsExactly(8L, 12L);
        }
    }

    /** A log of 12 records of 244 bytes in segments 0, 4 and 8 (the active one), with an age limit of 1 h. */
    private TopicLog threeSegmentsWithAnHourLimit() throws IOException {
        LogConfig config = LogConfig.builder()
                .fsync(FsyncPolicy.NEVER)
                .segmentBytes(1024)
                .retention(Duration.ofHours(1))
                .build();
        TopicLog log = TopicLog.open("t", dir, config);
        for (int i = 0; i < 12; i++) {
            log.append(List.of(AppendRecord.of(new byte[200])));
        }
        assertThat(log.segmentBaseOffsets()).containsExactly(0L, 4L, 8L);
        return log;
    }

    /** Makes the newest record of a segment {@code age} old, as the age limit sees it. */
    private void age(long baseOffset, Duration age) throws IOException {
        Files.setLastModifiedTime(
                Segment.fileFor(dir, baseOffset), FileTime.fromMillis(System.currentTimeMillis() - age.toMillis()));
    }

    @Test
    void ageLimitDeletesARolledSegmentWhoseNewestRecordIsOlder() throws Exception {
        try (TopicLog log = threeSegmentsWithAnHourLimit()) {
            assertThat(log.applyRetention(Long.MIN_VALUE))
                    .as("every segment is young")
                    .isZero();
            age(0, Duration.ofHours(2));
            assertThat(log.applyRetention(Long.MIN_VALUE)).isEqualTo(1);
            assertThat(log.segmentBaseOffsets()).containsExactly(4L, 8L);
            assertThat(Segment.fileFor(dir, 0)).doesNotExist();
            assertThat(log.startOffset()).isEqualTo(4);
            assertThat(log.read(0, 100, 1 << 20))
                    .extracting(StoredRecord::offset)
                    .containsExactly(4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L);
        }
    }

    @Test
    void ageLimitKeepsASegmentNotOldEnough() throws Exception {
        try (TopicLog log = threeSegmentsWithAnHourLimit()) {
            age(0, Duration.ofMinutes(50));
            age(4, Duration.ofMinutes(50));
            assertThat(log.applyRetention(Long.MIN_VALUE)).isZero();
            assertThat(log.segmentBaseOffsets()).containsExactly(0L, 4L, 8L);
            age(0, Duration.ofMinutes(70));
            assertThat(log.applyRetention(Long.MIN_VALUE)).isEqualTo(1);
            assertThat(log.segmentBaseOffsets())
                    .as("segment 4 is 50 minutes old")
                    .containsExactly(4L, 8L);
        }
    }

    @Test
    void ageLimitNeverDeletesTheActiveSegment() throws Exception {
        try (TopicLog log = threeSegmentsWithAnHourLimit()) {
            for (long base : List.of(0L, 4L, 8L)) {
                age(base, Duration.ofDays(3));
            }
            assertThat(log.applyRetention(Long.MIN_VALUE)).isEqualTo(2);
            assertThat(log.segmentBaseOffsets()).containsExactly(8L);
            assertThat(log.applyRetention(Long.MAX_VALUE))
                    .as("not even when every record is acknowledged")
                    .isZero();
            assertThat(log.read(0, 100, 1 << 20))
                    .extracting(StoredRecord::offset)
                    .containsExactly(8L, 9L, 10L, 11L);
            // the log goes on where it was
            assertThat(log.append(List.of(rec("next"))).offsets()).containsExactly(12);
        }
    }

    @Test
    void ageLimitDeletesOnlyFromTheOldestEndSoTheLogStaysContiguous() throws Exception {
        try (TopicLog log = threeSegmentsWithAnHourLimit()) {
            age(4, Duration.ofHours(2)); // an old segment behind a young one (say, restored from a backup)
            assertThat(log.applyRetention(Long.MIN_VALUE)).isZero();
            assertThat(log.segmentBaseOffsets()).containsExactly(0L, 4L, 8L);
        }
    }

    @Test
    void ageLimitAppliesAfterAReopen() throws Exception {
        LogConfig config = LogConfig.builder()
                .fsync(FsyncPolicy.NEVER)
                .segmentBytes(1024)
                .retention(Duration.ofHours(1))
                .build();
        threeSegmentsWithAnHourLimit().close();
        age(0, Duration.ofHours(2));
        try (TopicLog log = TopicLog.open("t", dir, config)) {
            assertThat(log.applyRetention(Long.MIN_VALUE))
                    .as("opening does not make a segment young again")
                    .isEqualTo(1);
            assertThat(log.segmentBaseOffsets()).containsExactly(4L, 8L);
        }
    }

    @Test
    void closeIsIdempotentAndRefusesLaterAppends() throws Exception {
        TopicLog log = TopicLog.open("t", dir, LogConfig.defaults());
        log.append(List.of(rec("a")));
        log.close();
        log.close();
        assertThatThrownBy(() -> log.append(List.of(rec("b")))).isInstanceOf(StorageException.class);
    }

    @Test
    void theReusedWriteBufferBelongsToTheAppendingThreadNotToEachLog() throws Exception {
        List<TopicLog> logs = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                logs.add(TopicLog.open("t" + i, dir.resolve("t" + i), never()));
            }
            logs.get(0).append(List.of(rec("first"))).durable().get(10, TimeUnit.SECONDS);
            java.nio.ByteBuffer mine = AppendBuffer.threadScratch();
            assertThat(mine).isNotNull();
            for (TopicLog log : logs) {
                log.append(List.of(rec("m"))).durable().get(10, TimeUnit.SECONDS);
                assertThat(AppendBuffer.threadScratch())
                        .as("one buffer for every log")
                        .isSameAs(mine);
            }
            java.nio.ByteBuffer[] other = new java.nio.ByteBuffer[1];
            Thread t = new Thread(() -> {
                logs.get(1).append(List.of(rec("elsewhere")));
                other[0] = AppendBuffer.threadScratch();
            });
            t.start();
            t.join(10_000);
            assertThat(other[0]).as("another thread's own").isNotNull().isNotSameAs(mine);
            assertThat(payloads(logs.get(1).read(0, 10, 1 << 20))).containsExactly("m", "elsewhere");
        } finally {
            logs.forEach(TopicLog::close);
        }
    }
}
