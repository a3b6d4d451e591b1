package dev.courier.mq.broker.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The two record formats: format 1 as earlier brokers wrote it, and format 2 with a key and times. */
class RecordFormatTest {

    @TempDir
    Path dir;

    /**
     * A format 1 record laid out byte by byte as the format was before format 2 existed, independently of
     * {@link RecordFormat#write}.
     */
    private static ByteBuffer formatOneRecord(
            long offset, long timestamp, String header, String value, byte[] payload) {
        byte[] k = header.getBytes(StandardCharsets.UTF_8);
        byte[] v = value.getBytes(StandardCharsets.UTF_8);
        int headers = 2 + k.length + 4 + v.length;
        ByteBuffer body = ByteBuffer.allocate(36 + headers + payload.length);
        body.putLong(offset).putLong(timestamp).putLong(7).putLong(9).putInt(headers);
        body.putShort((short) k.length).put(k).putInt(v.length).put(v).put(payload);
        CRC32C crc = new CRC32C();
        crc.update(body.array());
        ByteBuffer record = ByteBuffer.allocate(8 + body.capacity());
        record.putInt(body.capacity())
                .putInt((int) crc.getValue())
                .put(body.array())
                .flip();
        return record;
    }

    private static ByteBuffer write(RecordMeta meta, Map<String, String> headers, byte[] payload) {
        byte[] m = RecordFormat.encodeMeta(meta);
        byte[] h = RecordFormat.encodeHeaders(headers);
        ByteBuffer buf = ByteBuffer.allocate(RecordFormat.sizeOf(m, h, payload));
        RecordFormat.write(buf, 42, 1_700_000_000_000L, 3, 4, m, h, payload);
        return buf.flip();
    }

    /** Rewrites the CRC of a record whose body a test changed, so that only the layout can refuse it. */
    private static void fixCrc(ByteBuffer record) {
        CRC32C crc = new CRC32C();
        ByteBuffer body = record.duplicate().position(RecordFormat.OFFSET_OFFSET);
        crc.update(body);
        record.putInt(RecordFormat.CRC_OFFSET, (int) crc.getValue());
    }

    @Test
    void aRecordAsEarlierBrokersWroteItReadsWithNoKeyOrTimes() {
        ByteBuffer old = formatOneRecord(5, 1_600_000_000_000L, "courier.failure", "nacked", "body".getBytes());

        assertThat(RecordFormat.check(old)).isEqualTo(old.limit());
        StoredRecord r = RecordFormat.read(old);

        assertThat(r.offset()).isEqualTo(5);
        assertThat(r.timestamp()).isEqualTo(1_600_000_000_000L);
        assertThat(r.producerId()).isEqualTo(7);
        assertThat(r.sequence()).isEqualTo(9);
        assertThat(r.headers()).containsExactly(Map.entry("courier.failure", "nacked"));
        assertThat(r.payload()).isEqualTo("body".getBytes());
        assertThat(r.meta()).isEqualTo(RecordMeta.NONE);
        assertThat(r.key()).isNull();
    }

    @Test
    void aPlainRecordIsStillWrittenInFormatOneByteForByte() {
        ByteBuffer old = formatOneRecord(42, 1_700_000_000_000L, "a", "b", "body".getBytes());
        ByteBuffer now = RecordFormatTest.write(RecordMeta.NONE, Map.of("a", "b"), "body".getBytes());
        // the same layout but the producer fields: set them alike
        now.putLong(RecordFormat.PRODUCER_ID_OFFSET, 7).putLong(RecordFormat.SEQUENCE_OFFSET, 9);
        fixCrc(now);

        assertThat(now).isEqualTo(old);
    }

    @Test
    void formatTwoKeepsKeyTimesAndHeaders() {
        RecordMeta meta = new RecordMeta("orders.eu.7", 1_650_000_000_000L, 1_700_000_005_000L, 1_700_000_060_000L);
        ByteBuffer buf = write(meta, Map.of("region", "eü"), "payload".getBytes());

        assertThat(buf.get(RecordFormat.HEADERS_LENGTH_OFFSET) & 0xFF).isEqualTo(RecordFormat.FORMAT_2);
        assertThat(RecordFormat.check(buf)).isEqualTo(buf.limit());
        StoredRecord r = RecordFormat.read(buf);

        assertThat(r.meta()).isEqualTo(meta);
        assertThat(r.key()).isEqualTo("orders.eu.7");
        assertThat(r.headers()).containsExactly(Map.entry("region", "eü"));
        assertThat(r.payload()).isEqualTo("payload".getBytes());
        assertThat(buf.position()).isEqualTo(buf.limit());
    }

    @Test
    void aKeyLongerThanTheRecordIsRefusedEvenWithAGoodCrc() {
        ByteBuffer buf = write(new RecordMeta("k", 1, 0, 0), Map.of(), "p".getBytes());
        buf.putShort(RecordFormat.HEADERS_OFFSET, (short) 0x7000);
        fixCrc(buf);

        assertThat(RecordFormat.check(buf)).isEqualTo(RecordFormat.Check.BAD_CRC);
    }

    @Test
    void headersLongerThanWhatFollowsTheMetaAreRefused() {
        ByteBuffer buf = write(new RecordMeta("key", 0, 0, 0), Map.of("h", "v"), new byte[0]);
        // the headers' length counts the meta's bytes too: one byte past the record
        int field = buf.getInt(RecordFormat.HEADERS_LENGTH_OFFSET);
        buf.putInt(RecordFormat.HEADERS_LENGTH_OFFSET, field + 1);
        fixCrc(buf);

        assertThat(RecordFormat.check(buf)).isEqualTo(RecordFormat.Check.BAD_CRC);
    }

    @Test
    void aHeadersFieldOfNeitherFormatIsRefused() {
        ByteBuffer buf = write(new RecordMeta("key", 0, 0, 0), Map.of(), "p".getBytes());
        buf.put(RecordFormat.HEADERS_LENGTH_OFFSET, (byte) 0x83);
        fixCrc(buf);

        assertThat(RecordFormat.check(buf)).isEqualTo(RecordFormat.Check.BAD_CRC);
    }

    @Test
    void aKeyTooLongToStoreIsAClearErrorBeforeAnythingIsWritten() {
        String key = "k".repeat(RecordFormat.MAX_KEY_BYTES + 1);

        assertThatThrownBy(() -> RecordFormat.encodeMeta(new RecordMeta(key, 0, 0, 0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("65536 bytes");
    }

    @Test
    void aLogWithBothFormatsReadsThemBackAfterARestart() throws Exception {
        LogConfig config = LogConfig.defaults();
        RecordMeta meta = new RecordMeta("user-1", 1_650_000_000_000L, 0, 1_900_000_000_000L);
        try (TopicLog log = TopicLog.open("t", dir, config)) {
            log.append(List.of(
                            AppendRecord.of("plain".getBytes()),
                            new AppendRecord(0, 0, Map.of("h", "1"), "keyed".getBytes(), meta)))
                    .durable()
                    .get();
        }
        try (TopicLog log = TopicLog.open("t", dir, config)) {
            List<StoredRecord> back = log.read(0, 10, 1 << 20);

            assertThat(back).hasSize(2);
            assertThat(back.get(0).meta()).isEqualTo(RecordMeta.NONE);
            assertThat(back.get(0).payload()).isEqualTo("plain".getBytes());
            assertThat(back.get(1).meta()).isEqualTo(meta);
            assertThat(back.get(1).headers()).containsExactly(Map.entry("h", "1"));
            assertThat(log.readAt(1).key()).isEqualTo("user-1");
        }
    }

    @Test
    void aBatchWithARecordThatCannotBeStoredAppendsNothing() throws Exception {
        try (TopicLog log = TopicLog.open("t", dir, LogConfig.defaults())) {
            String key = "k".repeat(RecordFormat.MAX_KEY_BYTES + 1);
            List<AppendRecord> batch = List.of(
                    AppendRecord.of("fine".getBytes()),
                    new AppendRecord(0, 0, Map.of(), "bad".getBytes(), new RecordMeta(key, 0, 0, 0)));

            assertThatThrownBy(() -> log.append(batch)).isInstanceOf(IllegalArgumentException.class);
            log.append(List.of(AppendRecord.of("next".getBytes()))).durable().get();

            assertThat(log.read(0, 10, 1 << 20))
                    .extracting(r -> new String(r.payload()))
                    .containsExactly("next");
        }
    }
}
