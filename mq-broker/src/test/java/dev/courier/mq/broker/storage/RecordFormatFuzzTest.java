package dev.courier.mq.broker.storage;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes {@link RecordFormat#check} and {@link RecordFormat#read}. The fuzzer's bytes are the checked
 * body of a record (offset to payload), framed with a correct length and CRC so that the fuzzer gets
 * past the CRC and into the header and payload layout (and, as it chooses, with a wrong length or CRC
 * instead). The property: {@code check} returns a size or one of its {@link RecordFormat.Check} codes
 * and never throws; a record it accepts {@code read}s without an exception, consuming exactly that size,
 * and writes back to the same bytes.
 */
class RecordFormatFuzzTest {

    @FuzzTest
    void checkedRecordsReadAndRewriteExactly(FuzzedDataProvider data) {
        int mode = data.consumeInt(0, 3);
        int declaredLengthDelta = mode == 1 ? data.consumeInt(-64, 64) : 0;
        int padding = mode == 2 ? data.consumeInt(0, 16) : 0;
        byte[] body = data.consumeRemainingAsBytes();
        ByteBuffer buf = ByteBuffer.allocate(RecordFormat.PREFIX_SIZE + body.length + padding);
        CRC32C crc = new CRC32C();
        crc.update(body);
        int storedCrc = mode == 3 ? (int) crc.getValue() ^ 1 : (int) crc.getValue();
        buf.putInt(body.length + declaredLengthDelta).putInt(storedCrc).put(body);
        buf.position(0);

        int size = RecordFormat.check(buf);
        if (size < 0) {
            assertThat(size)
                    .isIn(RecordFormat.Check.INCOMPLETE, RecordFormat.Check.BAD_LENGTH, RecordFormat.Check.BAD_CRC);
            return;
        }
        assertThat(size).isLessThanOrEqualTo(buf.limit());
        StoredRecord r = RecordFormat.read(buf);
        assertThat(buf.position()).isEqualTo(size);
        byte[] headers = RecordFormat.encodeHeaders(r.headers());
        ByteBuffer again = ByteBuffer.allocate(RecordFormat.sizeOf(headers, r.payload()));
        RecordFormat.write(again, r.offset(), r.timestamp(), r.producerId(), r.sequence(), headers, r.payload());
        again.flip();
        assertThat(RecordFormat.check(again)).isEqualTo(again.limit());
        StoredRecord back = RecordFormat.read(again);
        assertThat(back.offset()).isEqualTo(r.offset());
        assertThat(back.headers()).isEqualTo(r.headers());
        assertThat(back.payload()).isEqualTo(r.payload());
    }
}
