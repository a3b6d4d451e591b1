package dev.courier.serialization.internal.kryo;

import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;

/**
 * A Kryo {@link Input} over one complete in-memory value that refuses any length larger than the
 * bytes left, or than the allowlist's {@code maxLength}, before allocating for it: strings, and arrays
 * of every primitive type ({@link CheckedSerializers} does the same for containers). A corrupt length
 * thus fails at once with a {@link KryoException} instead of allocating up to gigabytes.
 *
 * <p>Not thread-safe; pooled, one user at a time.
 */
final class BoundedInput extends Input {

    private static final byte[] EMPTY = new byte[0];
    private static final int MAX_RETAINED_CHARS = 64 * 1024;

    private final int maxLength;

    BoundedInput(int maxLength) {
        super(EMPTY);
        this.maxLength = maxLength;
    }

    /** Reused copy of a direct buffer's bytes; kept between uses up to {@link #MAX_RETAINED_SCRATCH}. */
    private byte[] scratch = EMPTY;

    private static final int MAX_RETAINED_SCRATCH = 256 * 1024;

    /**
     * An array of at least {@code length} bytes to copy input into. Safe to reuse because every value
     * Kryo reads copies what it keeps (byte arrays, strings) out of the input buffer.
     */
    byte[] scratch(int length) {
        if (scratch.length < length) {
            scratch = new byte[Math.max(length, Math.min(MAX_RETAINED_SCRATCH, scratch.length * 2))];
        }
        return scratch;
    }

    /** Drops the references to the last value (and oversized scratch buffers) before pooling. */
    void clear() {
        setBuffer(EMPTY);
        if (chars.length > MAX_RETAINED_CHARS) {
            chars = new char[32];
        }
        if (scratch.length > MAX_RETAINED_SCRATCH) {
            scratch = EMPTY;
        }
    }

    /** Refuses {@code elements} (announced as taking {@code bytes} of input) before anything is allocated. */
    private void check(long elements, long bytes) {
        if (elements < 0 || bytes > limit - position || elements > maxLength) {
            throw new KryoException("Corrupt input: length " + elements + " exceeds the " + (limit - position)
                    + " bytes left (at most " + maxLength + " elements)");
        }
    }

    /** Refuses a length of {@code elements}, each taking at least one byte, before anything is allocated. */
    void check(long elements) {
        check(elements, elements);
    }

    @Override
    public String readString() {
        if (readVarIntFlag()) {
            int start = position;
            int charCountPlusOne = readVarIntFlag(true);
            if (charCountPlusOne > 1) {
                check(charCountPlusOne - 1L);
            }
            position = start;
        }
        return super.readString();
    }

    @Override
    public StringBuilder readStringBuilder() {
        if (readVarIntFlag()) {
            int start = position;
            int charCountPlusOne = readVarIntFlag(true);
            if (charCountPlusOne > 1) {
                check(charCountPlusOne - 1L);
            }
            position = start;
        }
        return super.readStringBuilder();
    }

    @Override
    public byte[] readBytes(int length) {
        check(length);
        return super.readBytes(length);
    }

    @Override
    public int[] readInts(int length) {
        check(length, length * 4L);
        return super.readInts(length);
    }

    @Override
    public int[] readInts(int length, boolean optimizePositive) {
        check(length);
        return super.readInts(length, optimizePositive);
    }

    @Override
    public long[] readLongs(int length) {
        check(length, length * 8L);
        return super.readLongs(length);
    }

    @Override
    public long[] readLongs(int length, boolean optimizePositive) {
        check(length);
        return super.readLongs(length, optimizePositive);
    }

    @Override
    public float[] readFloats(int length) {
        check(length, length * 4L);
        return super.readFloats(length);
    }

    @Override
    public double[] readDoubles(int length) {
        check(length, length * 8L);
        return super.readDoubles(length);
    }

    @Override
    public short[] readShorts(int length) {
        check(length, length * 2L);
        return super.readShorts(length);
    }

    @Override
    public char[] readChars(int length) {
        check(length, length * 2L);
        return super.readChars(length);
    }

    @Override
    public boolean[] readBooleans(int length) {
        check(length);
        return super.readBooleans(length);
    }
}
