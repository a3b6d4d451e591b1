package dev.courier.mq.broker.storage;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The layout of one record in a segment file. Records follow each other with no padding; a segment
 * file is nothing but records.
 *
 * <pre>
 *  0         4         8                   16                  24                  32                  40        44
 *  +---------+---------+-------------------+-------------------+-------------------+-------------------+---------+
 *  | length  | crc32c  |      offset       |    timestamp      |   producer id     |    sequence       | hdr len |
 *  +---------+---------+-------------------+-------------------+-------------------+-------------------+---------+
 *  | headers (hdr len bytes)                 | payload (length - FIXED_BODY - hdr len bytes)               ...
 *  +-----------------------------------------+------------------------------------------------------------
 *
 *  length   int32  bytes after the crc field (from OFFSET to the end of the payload)
 *  crc32c   int32  CRC32C of those same bytes
 *  offset   int64  the record's logical offset in its topic (increasing, gaps allowed)
 *  timestamp int64 append time, epoch milliseconds
 *  producer id, sequence  int64 each; producer id 0 means "no idempotence"
 *  headers  repeated { u16 key length, key UTF-8, i32 value length, value UTF-8 }
 * </pre>
 *
 * All integers are big-endian. A record is valid when its length is within bounds, it lies wholly
 * inside the file, its CRC matches and its headers are whole entries filling their area (a record
 * whose CRC matches but whose headers do not fit is refused like a bad CRC). This class is stateless and thread-safe.
 */
public final class RecordFormat {

    public static final int LENGTH_OFFSET = 0;
    public static final int CRC_OFFSET = 4;
    public static final int OFFSET_OFFSET = 8;
    public static final int TIMESTAMP_OFFSET = 16;
    public static final int PRODUCER_ID_OFFSET = 24;
    public static final int SEQUENCE_OFFSET = 32;
    public static final int HEADERS_LENGTH_OFFSET = 40;
    public static final int HEADERS_OFFSET = 44;
    /** Bytes before the checked body: length and crc. */
    public static final int PREFIX_SIZE = OFFSET_OFFSET;
    /** The fixed part of the checked body (offset to headers length inclusive). */
    public static final int FIXED_BODY = HEADERS_OFFSET - OFFSET_OFFSET;
    /** The largest record the engine writes or accepts when reading back. */
    public static final int MAX_RECORD_SIZE = 32 * 1024 * 1024;

    private RecordFormat() {}

    /** The size on disk of a record with these headers and payload. */
    public static int sizeOf(byte[] encodedHeaders, byte[] payload) {
        return HEADERS_OFFSET + encodedHeaders.length + payload.length;
    }

    /** Writes one record at the buffer's position, advancing it. */
    public static void write(
            ByteBuffer out,
            long offset,
            long timestamp,
            long producerId,
            long sequence,
            byte[] encodedHeaders,
            byte[] payload) {
        int start = out.position();
        int length = FIXED_BODY + encodedHeaders.length + payload.length;
        out.putInt(length)
                .putInt(0)
                .putLong(offset)
                .putLong(timestamp)
                .putLong(producerId)
                .putLong(sequence)
                .putInt(encodedHeaders.length)
                .put(encodedHeaders)
                .put(payload);
        CRC32C crc = new CRC32C();
        int end = out.position();
        int limit = out.limit();
        out.limit(start + PREFIX_SIZE + length).position(start + OFFSET_OFFSET);
        crc.update(out);
        out.limit(limit).position(end);
        out.putInt(start + CRC_OFFSET, (int) crc.getValue());
    }

    /**
     * Checks that {@code buf} (positioned at a record, limited to the end of the readable bytes) holds a
     * whole valid record and returns its total size, or a negative {@link Check} code.
     */
    public static int check(ByteBuffer buf) {
        int start = buf.position();
        int available = buf.limit() - start;
        if (available < PREFIX_SIZE) {
            return Check.INCOMPLETE;
        }
        int length = buf.getInt(start + LENGTH_OFFSET);
        if (length < FIXED_BODY || length > MAX_RECORD_SIZE) {
            return Check.BAD_LENGTH;
        }
        if (available < PREFIX_SIZE + length) {
            return Check.INCOMPLETE;
        }
        int headersLength = buf.getInt(start + HEADERS_LENGTH_OFFSET);
        CRC32C crc = new CRC32C();
        ByteBuffer body = buf.duplicate();
        body.position(start + OFFSET_OFFSET).limit(start + PREFIX_SIZE + length);
        crc.update(body);
        if ((int) crc.getValue() != buf.getInt(start + CRC_OFFSET)) {
            return Check.BAD_CRC;
        }
        if (headersLength < 0
                || headersLength > length - FIXED_BODY
                || !headersFit(buf, start + HEADERS_OFFSET, headersLength)) {
            return Check.BAD_CRC;
        }
        return PREFIX_SIZE + length;
    }

    /** Whether the headers at {@code at} are whole entries that end exactly {@code length} bytes on. */
    private static boolean headersFit(ByteBuffer buf, int at, int length) {
        long p = at;
        long end = (long) at + length;
        while (p < end) {
            if (p + 2 > end) {
                return false;
            }
            p += 2 + Short.toUnsignedInt(buf.getShort((int) p));
            if (p + 4 > end) {
                return false;
            }
            int valueLength = buf.getInt((int) p);
            if (valueLength < 0) {
                return false;
            }
            p += 4L + valueLength;
        }
        return p == end;
    }

    /** Why {@link #check} refused a record. */
    public static final class Check {
        public static final int INCOMPLETE = -1;
        public static final int BAD_LENGTH = -2;
        public static final int BAD_CRC = -3;

        private Check() {}
    }

    /** Reads the record at the buffer's position (already {@link #check checked}), advancing past it. */
    public static StoredRecord read(ByteBuffer buf) {
        int start = buf.position();
        int length = buf.getInt(start + LENGTH_OFFSET);
        long offset = buf.getLong(start + OFFSET_OFFSET);
        long timestamp = buf.getLong(start + TIMESTAMP_OFFSET);
        long producerId = buf.getLong(start + PRODUCER_ID_OFFSET);
        long sequence = buf.getLong(start + SEQUENCE_OFFSET);
        int headersLength = buf.getInt(start + HEADERS_LENGTH_OFFSET);
        buf.position(start + HEADERS_OFFSET);
        Map<String, String> headers = headersLength == 0 ? Map.of() : decodeHeaders(buf, headersLength);
        byte[] payload = new byte[length - FIXED_BODY - headersLength];
        buf.get(payload);
        return new StoredRecord(offset, timestamp, producerId, sequence, headers, payload);
    }

    private static final byte[] NO_HEADERS = new byte[0];

    public static byte[] encodeHeaders(Map<String, String> headers) {
        if (headers == null || headers.isEmpty()) {
            return NO_HEADERS;
        }
        int size = 0;
        Map<byte[], byte[]> encoded = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : headers.entrySet()) {
            byte[] k = e.getKey().getBytes(StandardCharsets.UTF_8);
            byte[] v = e.getValue().getBytes(StandardCharsets.UTF_8);
            if (k.length > 0xFFFF) {
                throw new IllegalArgumentException("Header name too long");
            }
            encoded.put(k, v);
            size += 2 + k.length + 4 + v.length;
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        encoded.forEach(
                (k, v) -> out.putShort((short) k.length).put(k).putInt(v.length).put(v));
        return out.array();
    }

    private static Map<String, String> decodeHeaders(ByteBuffer buf, int length) {
        int end = buf.position() + length;
        Map<String, String> headers = new LinkedHashMap<>();
        while (buf.position() < end) {
            byte[] k = new byte[Short.toUnsignedInt(buf.getShort())];
            buf.get(k);
            byte[] v = new byte[buf.getInt()];
            buf.get(v);
            headers.put(new String(k, StandardCharsets.UTF_8), new String(v, StandardCharsets.UTF_8));
        }
        return headers;
    }
}
