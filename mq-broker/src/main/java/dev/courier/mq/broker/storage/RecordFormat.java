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
 *  | [meta, format 2 only] | headers (hdr len bytes) | payload (the rest of length)                          ...
 *  +-----------------------+-------------------------+---------------------------------------------------------
 *
 *  length   int32  bytes after the crc field (from OFFSET to the end of the payload)
 *  crc32c   int32  CRC32C of those same bytes
 *  offset   int64  the record's logical offset in its topic (increasing, gaps allowed)
 *  timestamp int64 append time, epoch milliseconds
 *  producer id, sequence  int64 each; producer id 0 means "no idempotence"
 *  hdr len  int32  format 1: the headers' length (0 to length - 36);
 *                  format 2: 0x82 in the top byte, the headers' length in the low 24 bits
 *  meta     format 2: u16 key length, key UTF-8, int64 event time, int64 deliver-at, int64 expires-at
 *  headers  repeated { u16 key length, key UTF-8, i32 value length, value UTF-8 }
 * </pre>
 *
 * <p>Format 1 is the record of a plain message and the only one earlier brokers wrote; format 2 adds the
 * {@link RecordMeta} of a message with a key or times. A format 1 length field never has its top bit set
 * (lengths are at most {@link #MAX_RECORD_SIZE}), so the two cannot be confused, and segments written
 * before format 2 read as they did.
 *
 * <p>All integers are big-endian. A record is valid when its length is within bounds, it lies wholly
 * inside the file, its CRC matches and its meta and headers are whole entries filling their areas (a
 * record whose CRC matches but whose layout does not fit is refused like a bad CRC). This class is
 * stateless and thread-safe.
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
    /** The top byte of the headers length field of a format 2 record. */
    static final int FORMAT_2 = 0x82;
    /** The fixed part of format 2's meta: key length, event time, deliver-at, expires-at. */
    static final int META_FIXED = 2 + 3 * 8;
    /** The longest key, in bytes of UTF-8. */
    public static final int MAX_KEY_BYTES = 0xFFFF;

    private static final int FORMAT_2_MAX_HEADERS = 0xFFFFFF;

    private RecordFormat() {}

    /** The size on disk of a plain (format 1) record with these headers and payload. */
    public static int sizeOf(byte[] encodedHeaders, byte[] payload) {
        return HEADERS_OFFSET + encodedHeaders.length + payload.length;
    }

    /** The size on disk of a record with this {@link #encodeMeta encoded meta}, headers and payload. */
    public static int sizeOf(byte[] encodedMeta, byte[] encodedHeaders, byte[] payload) {
        return HEADERS_OFFSET + encodedMeta.length + encodedHeaders.length + payload.length;
    }

    /** Writes one plain (format 1) record at the buffer's position, advancing it. */
    public static void write(
            ByteBuffer out,
            long offset,
            long timestamp,
            long producerId,
            long sequence,
            byte[] encodedHeaders,
            byte[] payload) {
        write(out, offset, timestamp, producerId, sequence, NO_BYTES, encodedHeaders, payload);
    }

    /**
     * Writes one record at the buffer's position, advancing it: in format 2 when {@code encodedMeta} (from
     * {@link #encodeMeta}) is not empty, else in format 1.
     */
    public static void write(
            ByteBuffer out,
            long offset,
            long timestamp,
            long producerId,
            long sequence,
            byte[] encodedMeta,
            byte[] encodedHeaders,
            byte[] payload) {
        int start = out.position();
        int length = FIXED_BODY + encodedMeta.length + encodedHeaders.length + payload.length;
        int headersField = encodedMeta.length == 0 ? encodedHeaders.length : FORMAT_2 << 24 | encodedHeaders.length;
        out.putInt(length)
                .putInt(0)
                .putLong(offset)
                .putLong(timestamp)
                .putLong(producerId)
                .putLong(sequence)
                .putInt(headersField)
                .put(encodedMeta)
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
        int headersField = buf.getInt(start + HEADERS_LENGTH_OFFSET);
        CRC32C crc = new CRC32C();
        ByteBuffer body = buf.duplicate();
        body.position(start + OFFSET_OFFSET).limit(start + PREFIX_SIZE + length);
        crc.update(body);
        if ((int) crc.getValue() != buf.getInt(start + CRC_OFFSET)) {
            return Check.BAD_CRC;
        }
        int metaLength = metaLength(buf, start, length, headersField);
        int headersLength = headersLength(headersField);
        if (metaLength < 0
                || headersLength > length - FIXED_BODY - metaLength
                || !headersFit(buf, start + HEADERS_OFFSET + metaLength, headersLength)) {
            return Check.BAD_CRC;
        }
        return PREFIX_SIZE + length;
    }

    /** The headers' length in a headers length field of either format, or -1 if the field is invalid. */
    private static int headersLength(int field) {
        if (field >= 0) {
            return field;
        }
        return field >>> 24 == FORMAT_2 ? field & FORMAT_2_MAX_HEADERS : -1;
    }

    /**
     * The length of the meta of the record at {@code start} (0 in format 1), or -1 if the field is neither
     * format or the meta does not fit in the record's {@code length}.
     */
    private static int metaLength(ByteBuffer buf, int start, int length, int headersField) {
        if (headersField >= 0) {
            return 0;
        }
        if (headersField >>> 24 != FORMAT_2 || length - FIXED_BODY < META_FIXED) {
            return -1;
        }
        int size = META_FIXED + Short.toUnsignedInt(buf.getShort(start + HEADERS_OFFSET));
        return size > length - FIXED_BODY ? -1 : size;
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
        int headersField = buf.getInt(start + HEADERS_LENGTH_OFFSET);
        int headersLength = headersLength(headersField);
        buf.position(start + HEADERS_OFFSET);
        RecordMeta meta = RecordMeta.NONE;
        int metaLength = 0;
        if (headersField < 0) {
            byte[] key = new byte[Short.toUnsignedInt(buf.getShort())];
            buf.get(key);
            meta = new RecordMeta(
                    key.length == 0 ? null : new String(key, StandardCharsets.UTF_8),
                    buf.getLong(),
                    buf.getLong(),
                    buf.getLong());
            metaLength = META_FIXED + key.length;
        }
        Map<String, String> headers = headersLength == 0 ? Map.of() : decodeHeaders(buf, headersLength);
        byte[] payload = new byte[length - FIXED_BODY - metaLength - headersLength];
        buf.get(payload);
        return new StoredRecord(offset, timestamp, producerId, sequence, headers, payload, meta);
    }

    private static final byte[] NO_BYTES = new byte[0];

    /**
     * The meta of a format 2 record, or no bytes for {@link RecordMeta#NONE} (a format 1 record).
     *
     * @throws IllegalArgumentException if the key is longer than {@link #MAX_KEY_BYTES}
     */
    public static byte[] encodeMeta(RecordMeta meta) {
        if (meta == null || meta.isNone()) {
            return NO_BYTES;
        }
        byte[] key = meta.key() == null ? NO_BYTES : meta.key().getBytes(StandardCharsets.UTF_8);
        if (key.length > MAX_KEY_BYTES) {
            throw new IllegalArgumentException(
                    "A key of " + key.length + " bytes is longer than the most a record holds (" + MAX_KEY_BYTES + ")");
        }
        return ByteBuffer.allocate(META_FIXED + key.length)
                .putShort((short) key.length)
                .put(key)
                .putLong(meta.eventTime())
                .putLong(meta.deliverAt())
                .putLong(meta.expiresAt())
                .array();
    }

    /**
     * Encodes headers for {@link #write}.
     *
     * @throws IllegalArgumentException if a name is longer than 65,535 bytes of UTF-8, or all of them take more
     *                                  than 16 MiB
     */
    public static byte[] encodeHeaders(Map<String, String> headers) {
        if (headers == null || headers.isEmpty()) {
            return NO_BYTES;
        }
        long size = 0;
        Map<byte[], byte[]> encoded = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : headers.entrySet()) {
            byte[] k = e.getKey().getBytes(StandardCharsets.UTF_8);
            byte[] v = e.getValue().getBytes(StandardCharsets.UTF_8);
            if (k.length > 0xFFFF) {
                throw new IllegalArgumentException("Header name too long");
            }
            encoded.put(k, v);
            size += 2 + k.length + 4 + v.length;
            if (size > FORMAT_2_MAX_HEADERS) {
                throw new IllegalArgumentException("Headers of more than " + FORMAT_2_MAX_HEADERS + " bytes");
            }
        }
        ByteBuffer out = ByteBuffer.allocate((int) size);
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
