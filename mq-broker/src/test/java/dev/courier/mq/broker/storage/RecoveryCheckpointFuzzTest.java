package dev.courier.mq.broker.storage;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes the decoders of what a restart takes as known instead of reading the log: the recovery
 * checkpoint with its producer table ({@link RecoveryCheckpoint#decode}, {@link ProducerTable#restore})
 * and a segment's stored index ({@link Segment#restore}). The fuzzer's bytes (after a first byte that
 * picks the decoder, and for an index two that size the segment file) are the file's checked body,
 * framed with a correct CRC so the fuzzer gets past it. The property: each decoder answers a
 * {@link ChecksummedFile.CorruptException} or a state within bounds that encodes back to what decodes
 * to the same state.
 */
class RecoveryCheckpointFuzzTest {

    @FuzzTest
    void decodesWithinBoundsOrFailsWithACorruptExceptionAndRoundTrips(byte[] data) throws IOException {
        if (data.length < 1) {
            return;
        }
        ByteBuffer body = ByteBuffer.wrap(data, 1, data.length - 1).slice();
        if ((data[0] & 1) == 0) {
            checkpoint(body);
        } else {
            index(body);
        }
    }

    private static void checkpoint(ByteBuffer body) {
        RecoveryCheckpoint cp;
        ProducerTable table = new ProducerTable(Long.MAX_VALUE);
        try {
            cp = RecoveryCheckpoint.decode(body, "fuzz");
            table.restore(cp.producers().duplicate());
        } catch (ChecksummedFile.CorruptException expected) {
            assertThat(table.size()).isZero();
            return;
        }
        assertThat(table.size()).isBetween(0, ProducerTable.MAX_PRODUCERS);
        for (long[] m : cp.missing()) {
            assertThat(m[0]).isLessThan(m[1]);
            assertThat(m[1]).isLessThanOrEqualTo(cp.recoveryPoint());
        }
        ByteBuffer snapshot = table.snapshot();
        RecoveryCheckpoint again;
        ProducerTable back = new ProducerTable(Long.MAX_VALUE);
        try {
            again = RecoveryCheckpoint.decode(
                    new RecoveryCheckpoint(cp.recoveryPoint(), cp.missing(), snapshot).encode(), "again");
            back.restore(again.producers().duplicate());
        } catch (ChecksummedFile.CorruptException e) {
            throw new AssertionError("what was encoded does not decode", e);
        }
        assertThat(again.recoveryPoint()).isEqualTo(cp.recoveryPoint());
        assertThat(again.missing())
                .usingElementComparator((a, b) -> Arrays.equals(a, b) ? 0 : 1)
                .isEqualTo(cp.missing());
        assertThat(back.snapshot()).isEqualTo(snapshot);
    }

    private static void index(ByteBuffer body) throws IOException {
        if (body.remaining() < 2) {
            return;
        }
        int fileSize = body.getShort() & 0xFFFF;
        ByteBuffer indexBody = body.slice();
        Path dir = Files.createTempDirectory("index-fuzz");
        Storage storage = Storage.files();
        try {
            long base = 0;
            Path file = Segment.fileFor(dir, base);
            Files.write(file, new byte[fileSize]);
            // framed as ChecksummedFile frames it, without its fsyncs (the fuzzer runs many inputs)
            CRC32C crc = new CRC32C();
            crc.update(indexBody.duplicate());
            ByteBuffer framed = ByteBuffer.allocate(12 + indexBody.remaining())
                    .putInt(Segment.INDEX_MAGIC)
                    .putInt(indexBody.remaining())
                    .putInt((int) crc.getValue())
                    .put(indexBody.duplicate());
            Files.write(Segment.indexFileFor(dir, base), framed.array());
            Segment s;
            try {
                s = Segment.restore(storage, file, base, 4096);
            } catch (ChecksummedFile.CorruptException expected) {
                return;
            }
            try (s) {
                assertThat(s.size()).isEqualTo(fileSize);
                assertThat(s.nextOffset()).isGreaterThanOrEqualTo(base);
                for (long offset = base; offset < Math.min(s.nextOffset(), base + 64); offset++) {
                    assertThat(s.lookup(offset)).isBetween(0L, Math.max(0L, fileSize - 1L));
                }
                s.storeIndex(storage);
                try (Segment again = Segment.restore(storage, file, base, 4096)) {
                    assertThat(again.nextOffset()).isEqualTo(s.nextOffset());
                    assertThat(again.indexEntries()).isEqualTo(s.indexEntries());
                    assertThat(again.damaged()).isEqualTo(s.damaged());
                    for (long offset = base; offset < Math.min(s.nextOffset(), base + 64); offset++) {
                        assertThat(again.lookup(offset)).isEqualTo(s.lookup(offset));
                    }
                }
            }
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }
}
