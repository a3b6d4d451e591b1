package dev.courier.mq.broker.storage;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProducerTableTest {

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @Test
    void recentBatchesAnswerTheirOffsetsAndOlderDuplicatesAreStillRecognised() {
        ProducerTable t = new ProducerTable(60_000);
        long offset = 100;
        for (long seq = 1; seq <= 10_000; seq += 10) { // batches of 10, each stored after another producer's record
            for (int i = 0; i < 10; i++) {
                t.record(7, seq + i, offset++, 0);
            }
            offset++;
        }
        assertThat(t.lookup(7, 10_000, 0)).isEqualTo(offset - 2);
        assertThat(t.lookup(7, 9_991, 0)).isEqualTo(offset - 11);
        assertThat(t.lookup(7, 5, 0))
                .as("long ago: a duplicate, offset no longer known")
                .isEqualTo(ProducerTable.UNKNOWN_OFFSET);
        assertThat(t.lookup(7, 10_001, 0)).isEqualTo(ProducerTable.NEW);
        assertThat(t.lookup(8, 1, 0)).isEqualTo(ProducerTable.NEW);
        assertThatThrownBy(() -> t.check(7, 10_002, 3)).isInstanceOf(OutOfOrderSequenceException.class);
    }

    @Test
    void memoryGrowsWithProducersNotWithAWindowPerProducer() {
        ProducerTable t = new ProducerTable(60_000);
        t.record(1, 1, 0, 0); // load the classes first
        long before = allocatedBytes();
        for (long p = 2; p <= ProducerTable.MAX_PRODUCERS; p++) {
            t.record(p, 1, p, 0);
        }
        long perProducer = (allocatedBytes() - before) / ProducerTable.MAX_PRODUCERS;
        assertThat(perProducer).as("bytes allocated per producer").isLessThan(2048);
        assertThat(t.size()).isEqualTo(ProducerTable.MAX_PRODUCERS);
    }

    @Test
    void idleProducersAreForgotten() {
        ProducerTable t = new ProducerTable(1_000);
        t.record(1, 1, 0, 0);
        t.record(2, 1, 1, 500);
        t.record(3, 1, 2, 1_200); // producer 1 was last seen 1,200 ms ago
        assertThat(t.lookup(1, 1, 1_200)).isEqualTo(ProducerTable.NEW);
        t.expireIdle(1_501);
        assertThat(t.lookup(2, 1, 0)).isEqualTo(ProducerTable.NEW);
        assertThat(t.size()).isEqualTo(1);
    }

    @Test
    void aSnapshotRestoresTheSameAnswersAndTheSameOrderOfForgetting() throws Exception {
        ProducerTable t = new ProducerTable(1_000);
        long offset = 0;
        for (long seq = 1; seq <= 40; seq++) { // producer 1: 40 runs of one (another producer between each)
            t.record(1, seq, offset++, 100);
            t.record(2, seq, offset++, 200);
        }
        t.record(3, 5, offset++, 300);
        ProducerTable restored = new ProducerTable(1_000);
        restored.restore(t.snapshot());
        assertThat(restored.size()).isEqualTo(3);
        for (long p = 1; p <= 3; p++) {
            for (long seq = 0; seq <= 41; seq++) {
                assertThat(restored.lookup(p, seq, 0))
                        .as("producer %d seq %d", p, seq)
                        .isEqualTo(t.lookup(p, seq, 0));
            }
        }
        assertThatThrownBy(() -> restored.check(3, 7, 1)).isInstanceOf(OutOfOrderSequenceException.class);
        restored.expireIdle(
                1_150); // producer 1 (last seen at 100) is idle for longer than 1 s; producer 2 (200) is not
        assertThat(restored.lookup(1, 40, 0)).isEqualTo(ProducerTable.NEW);
        assertThat(restored.lookup(2, 40, 0)).isEqualTo(offset - 2);
    }

    @Test
    void aDamagedSnapshotIsATypedErrorAndLeavesTheTableEmpty() {
        ProducerTable t = new ProducerTable(1_000);
        t.record(1, 1, 0, 0);
        t.record(2, 1, 1, 0);
        ByteBuffer whole = t.snapshot();
        ProducerTable restored = new ProducerTable(1_000);
        ByteBuffer truncated = whole.duplicate().limit(whole.limit() - 3);
        assertThatThrownBy(() -> restored.restore(truncated)).isInstanceOf(ChecksummedFile.CorruptException.class);
        assertThat(restored.size()).isZero();
        ByteBuffer hostile = ByteBuffer.allocate(4).putInt(0, Integer.MAX_VALUE);
        assertThatThrownBy(() -> restored.restore(hostile))
                .isInstanceOf(ChecksummedFile.CorruptException.class)
                .hasMessageContaining("cannot fit");
        ByteBuffer manyRuns = whole.duplicate();
        manyRuns.putInt(4 + 24, ProducerTable.RUNS + 1); // the first producer's run count
        assertThatThrownBy(() -> restored.restore(manyRuns)).isInstanceOf(ChecksummedFile.CorruptException.class);
        assertThat(restored.size()).isZero();
    }
}
