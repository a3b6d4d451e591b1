package dev.courier.mq.broker.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;

/** The cursor file: replay, delivery counts, compaction and recovery from a torn or corrupt tail. */
class CursorLogTest {

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("s.cursor");
    }

    private static CursorLog.State open(Path file) throws IOException {
        CursorLog.State[] state = new CursorLog.State[1];
        CursorLog.open(file, state).close();
        return state[0];
    }

    /** An entry in the layout drawn in CursorLog's Javadoc, built here independently of CursorLog. */
    private static byte[] entry(int kind, long offset, Integer count) {
        ByteBuffer b = ByteBuffer.allocate(count == null ? 13 : 17);
        b.put((byte) kind).putLong(offset);
        if (count != null) {
            b.putInt(count);
        }
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.array();
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }

    @Test
    void aResetStartsTheStateOverAtItsOffsetAndLaterEntriesApplyOnTop() throws Exception {
        // floor 10, acks 12 and 15, a count for 11, handed out below 20; then a seek back to 5 and an ack of 7
        Files.write(
                file(),
                concat(
                        entry(1, 10, null),
                        entry(2, 12, null),
                        entry(2, 15, null),
                        entry(4, 11, 3),
                        entry(3, 20, null),
                        entry(5, 5, null),
                        entry(2, 7, null),
                        entry(4, 8, 2)));
        CursorLog.State s = open(file());
        assertThat(s.floor()).isEqualTo(5);
        assertThat(s.acked()).containsExactly(7L);
        assertThat(s.deliveries()).containsExactly(Map.entry(8L, 2));
        assertThat(s.handedOutBelow()).as("the mark starts over at the reset").isEqualTo(5);

        // a seek forward through the API writes the same entry; a reopen keeps it
        CursorLog.State[] state = new CursorLog.State[1];
        try (CursorLog log = CursorLog.open(file(), state)) {
            log.reset(30);
            log.ack(31);
        }
        CursorLog.State after = open(file());
        assertThat(after.floor()).isEqualTo(30);
        assertThat(after.acked()).containsExactly(31L);
        assertThat(after.deliveries()).isEmpty();
    }

    @Test
    void aFileWrittenBeforeDeliveryCountsExistedReadsAsBefore() throws Exception {
        // FLOOR 5, ACK 5, ACK 7: only the two kinds of the first version of the format
        Files.write(file(), concat(entry(1, 5, null), entry(2, 5, null), entry(2, 7, null)));
        CursorLog.State s = open(file());
        assertThat(s.floor()).isEqualTo(6);
        assertThat(s.acked()).containsExactly(7L);
        assertThat(s.deliveries()).isEmpty();
        assertThat(s.handedOutBelow())
                .as("nothing known: as if nothing above the floor was delivered")
                .isEqualTo(6);
        assertThat(Files.size(file())).isEqualTo(39);
    }

    @Test
    void theWrittenLayoutIsTheDrawnOne() throws Exception {
        try (CursorLog log = CursorLog.create(file(), 3)) {
            log.ack(4);
            log.handedOutBelow(9);
            log.deliveries(3, 2);
        }
        assertThat(Files.readAllBytes(file()))
                .isEqualTo(concat(entry(1, 3, null), entry(2, 4, null), entry(3, 9, null), entry(4, 3, 2)));
    }

    @Test
    void deliveryCountsOfUnacknowledgedOffsetsAreRestored() throws Exception {
        try (CursorLog log = CursorLog.create(file(), 0)) {
            log.handedOutBelow(4);
            log.deliveries(1, 2);
            log.deliveries(2, 2);
            log.deliveries(1, 3);
            log.deliveries(3, 2);
            log.ack(2);
            log.handedOutBelow(6);
            log.ack(0);
            log.floor(3); // 1 and 2 jump below the floor (retention)
        }
        CursorLog.State s = open(file());
        assertThat(s.floor()).isEqualTo(3);
        assertThat(s.acked()).isEmpty();
        assertThat(s.deliveries()).containsExactly(Map.entry(3L, 2));
        assertThat(s.handedOutBelow()).isEqualTo(6);
    }

    @Test
    void compactionKeepsTheCountsOfUnacknowledgedOffsetsAndDropsAckedOnes() throws Exception {
        TreeMap<Long, Integer> counts = new TreeMap<>(Map.of(4L, 9, 10L, 2, 12L, 3, 20L, 5));
        CursorLog.State state = new CursorLog.State(10, new TreeSet<>(Arrays.asList(12L, 13L)), 15, counts);
        try (CursorLog log = CursorLog.create(file(), 0)) {
            for (int i = 0; i < 100; i++) {
                log.ack(i + 1000);
            }
            log.compact(state);
            assertThat(log.size()).isEqualTo(Files.size(file()));
            log.deliveries(11, 2); // appends after compaction go on
        }
        CursorLog.State s = open(file());
        assertThat(s.floor()).isEqualTo(10);
        assertThat(s.acked()).containsExactly(12L, 13L);
        assertThat(s.handedOutBelow()).isEqualTo(15);
        // 4 is below the floor and 12 is acknowledged: their counts are gone
        assertThat(s.deliveries()).containsExactly(Map.entry(10L, 2), Map.entry(11L, 2), Map.entry(20L, 5));
        assertThat(Files.size(file()))
                .as("FLOOR, 2 ACKs, HANDED_OUT, 3 DELIVERIES")
                .isEqualTo(4 * CursorLog.ENTRY_SIZE + 3 * CursorLog.COUNTED_ENTRY_SIZE);
    }

    @Test
    void aTornTailIsCutAtEveryByteOfTheLastEntry() throws Exception {
        byte[] valid = concat(entry(1, 0, null), entry(3, 5, null), entry(4, 1, 2), entry(2, 0, null));
        for (byte[] last : new byte[][] {entry(4, 3, 4), entry(2, 1, null), entry(3, 9, null)}) {
            for (int cut = 1; cut < last.length; cut++) {
                Files.write(file(), concat(valid, Arrays.copyOf(last, last.length - cut)));
                CursorLog.State[] state = new CursorLog.State[1];
                try (CursorLog log = CursorLog.open(file(), state)) {
                    assertThat(state[0].floor()).isEqualTo(1);
                    assertThat(state[0].handedOutBelow()).isEqualTo(5);
                    assertThat(state[0].deliveries()).containsExactly(Map.entry(1L, 2));
                    assertThat(Files.size(file()))
                            .as("cut back to the last whole entry")
                            .isEqualTo(valid.length);
                    log.deliveries(1, 3);
                }
                assertThat(open(file()).deliveries())
                        .as("appends after the cut are read back")
                        .containsExactly(Map.entry(1L, 3));
            }
        }
    }

    @Test
    void aCorruptOrUnknownLastEntryIsCut() throws Exception {
        byte[] valid = concat(entry(1, 0, null), entry(4, 0, 3));
        byte[] badCrc = entry(4, 0, 4);
        badCrc[badCrc.length - 1] ^= 0x40;
        byte[] badCount = entry(4, 0, 4);
        badCount[CursorLog.COUNT_OFFSET + 3] ^= 0x01;
        byte[] unknownKind = entry(9, 0, null);
        for (byte[] bad : new byte[][] {badCrc, badCount, unknownKind, new byte[40]}) {
            Files.write(file(), concat(valid, bad));
            CursorLog.State s = open(file());
            assertThat(s.deliveries()).containsExactly(Map.entry(0L, 3));
            assertThat(Files.size(file())).isEqualTo(valid.length);
        }
    }

    @Test
    void anIdleCursorHoldsNoOpenFileAndOpensItAgainForTheNextEntry() throws Exception {
        dev.courier.mq.broker.testing.CountingStorage storage = new dev.courier.mq.broker.testing.CountingStorage();
        CursorLog created = CursorLog.create(storage, file(), 0);
        assertThat(storage.openFiles()).as("creating leaves the file closed").hasValue(0);
        created.close();

        CursorLog.State[] state = new CursorLog.State[1];
        CursorLog log = CursorLog.open(storage, file(), state);
        assertThat(storage.openFiles()).as("loading closes the file").hasValue(0);

        log.ack(0);
        assertThat(storage.openFiles()).as("the first entry opens it").hasValue(1);
        assertThat(log.releaseIfIdle()).as("not while the entry is unforced").isFalse();
        log.sync();
        for (int pass = 1; pass < CursorLog.IDLE_PASSES; pass++) {
            assertThat(log.releaseIfIdle()).as("pass %d", pass).isFalse();
        }
        log.ack(1); // a write starts the count again
        log.sync();
        for (int pass = 1; pass < CursorLog.IDLE_PASSES; pass++) {
            assertThat(log.releaseIfIdle()).isFalse();
        }
        assertThat(log.releaseIfIdle()).isTrue();
        assertThat(storage.openFiles()).hasValue(0);
        assertThat(log.isOpen()).isFalse();

        log.ack(2);
        assertThat(storage.openFiles()).hasValue(1);
        log.close();
        assertThat(storage.openFiles()).hasValue(0);
        assertThat(open(file()).floor()).as("every entry is in the file").isEqualTo(3);
    }
}
