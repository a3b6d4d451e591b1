package dev.courier.rpc.internal.protocol;

import dev.courier.rpc.ServerTiming;
import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Encodes string attachments: varint n, then n pairs of (string key, string value). */
final class Attachments {

    private static final int MAX_ENTRIES = 1024;
    /** Digits of the largest decimal a timing value may have; longer is malformed. */
    private static final int MAX_DECIMAL_DIGITS = 18;

    private Attachments() {}

    static void write(ByteBuf out, Map<String, String> attachments) {
        if (attachments == null || attachments.isEmpty()) {
            out.writeByte(0);
            return;
        }
        Codec.writeVarInt(out, attachments.size());
        writeEntries(out, attachments);
    }

    /**
     * Writes {@code attachments} and the two timing entries ({@code queueMicros}, {@code execMicros} ≥ 0), the
     * keys as constant bytes and the values as decimal digits, without building a map or a string.
     */
    static void writeTimed(
            ByteBuf out,
            Map<String, String> attachments,
            byte[] queueKey,
            long queueMicros,
            byte[] execKey,
            long execMicros) {
        int extra = attachments == null ? 0 : attachments.size();
        Codec.writeVarInt(out, extra + 2);
        if (extra > 0) {
            writeEntries(out, attachments);
        }
        out.writeBytes(queueKey);
        writeDecimal(out, queueMicros);
        out.writeBytes(execKey);
        writeDecimal(out, execMicros);
    }

    /** The encoded form of string {@code key}, to be written with {@link ByteBuf#writeBytes(byte[])}. */
    static byte[] encodedKey(String key) {
        byte[] utf8 = key.getBytes(StandardCharsets.UTF_8);
        if (utf8.length + 1 > 0x7F) {
            throw new IllegalArgumentException("Key too long for a one-byte length: " + key);
        }
        byte[] encoded = new byte[utf8.length + 1];
        encoded[0] = (byte) (utf8.length + 1);
        System.arraycopy(utf8, 0, encoded, 1, utf8.length);
        return encoded;
    }

    private static void writeEntries(ByteBuf out, Map<String, String> attachments) {
        for (Map.Entry<String, String> e : attachments.entrySet()) {
            Codec.writeString(out, e.getKey());
            Codec.writeString(out, e.getValue());
        }
    }

    /** A non-negative long as a string of ASCII digits. */
    private static void writeDecimal(ByteBuf out, long value) {
        int digits = 1;
        for (long v = value / 10; v > 0; v /= 10) {
            digits++;
        }
        out.writeByte(digits + 1);
        int at = out.writerIndex();
        out.writerIndex(at + digits);
        long v = value;
        for (int i = at + digits - 1; i >= at; i--) {
            out.setByte(i, '0' + (int) (v % 10));
            v /= 10;
        }
    }

    static Map<String, String> read(ByteBuf in) {
        int n = readCount(in);
        if (n == 0) {
            return Map.of();
        }
        Map<String, String> map = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            String key = Codec.readString(in);
            String value = Codec.readString(in);
            if (key == null) {
                throw new ProtocolException("Null attachment key");
            }
            map.put(key, value);
        }
        return map;
    }

    /**
     * Reads the attachments past and returns the server timing among them, or {@code null} when they hold
     * none. Only the two timing values are decoded; other entries are checked and skipped.
     */
    static ServerTiming readTiming(ByteBuf in, byte[] queueKey, byte[] execKey) {
        int n = readCount(in);
        long queue = -1;
        long exec = -1;
        for (int i = 0; i < n; i++) {
            int keyStart = in.readerIndex();
            int keyLength = skipString(in);
            if (keyLength < 0) {
                throw new ProtocolException("Null attachment key");
            }
            if (matches(in, keyStart, queueKey)) {
                queue = readDecimal(in);
            } else if (matches(in, keyStart, execKey)) {
                exec = readDecimal(in);
            } else {
                skipString(in);
            }
        }
        return queue >= 0 && exec >= 0 ? new ServerTiming(queue, exec) : null;
    }

    private static int readCount(ByteBuf in) {
        int n = Codec.readVarInt(in);
        if (n < 0 || n > MAX_ENTRIES) {
            throw new ProtocolException("Attachment count " + n + " out of range");
        }
        return n;
    }

    private static boolean matches(ByteBuf in, int start, byte[] encodedKey) {
        int length = in.readerIndex() - start;
        if (length != encodedKey.length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (in.getByte(start + i) != encodedKey[i]) {
                return false;
            }
        }
        return true;
    }

    /** Skips one string; its UTF-8 length, or -1 for null. */
    private static int skipString(ByteBuf in) {
        int n = Codec.readVarInt(in);
        if (n == 0) {
            return -1;
        }
        int length = n - 1;
        if (length < 0 || length > in.readableBytes()) {
            throw new ProtocolException(
                    "String length " + length + " exceeds the " + in.readableBytes() + " bytes left");
        }
        in.skipBytes(length);
        return length;
    }

    /** A string of ASCII digits as a long. */
    private static long readDecimal(ByteBuf in) {
        int start = in.readerIndex();
        int length = skipString(in);
        if (length < 1 || length > MAX_DECIMAL_DIGITS) {
            throw new ProtocolException("Server timing value of " + length + " characters, expected 1 to "
                    + MAX_DECIMAL_DIGITS + " digits");
        }
        long value = 0;
        for (int i = in.readerIndex() - length; i < in.readerIndex(); i++) {
            byte b = in.getByte(i);
            if (b < '0' || b > '9') {
                throw new ProtocolException("Server timing value '"
                        + in.toString(start + 1, length, StandardCharsets.US_ASCII) + "' is not a decimal number");
            }
            value = value * 10 + (b - '0');
        }
        return value;
    }
}
