package dev.courier.serialization.internal.protostuff;

import dev.courier.serialization.SerializationException;
import io.protostuff.ByteArrayInput;
import io.protostuff.ByteString;
import io.protostuff.Input;
import io.protostuff.Output;
import io.protostuff.Schema;
import io.protostuff.UninitializedMessageException;
import io.protostuff.runtime.ArraySchemas;
import io.protostuff.runtime.RuntimeSchema;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A Protostuff {@link Input} over one complete in-memory value that refuses an array length before
 * Protostuff allocates the array: a length larger than the allowlist's {@code maxLength}, or that
 * would take the sum of the array lengths of this value past the input's size plus
 * {@value #SPARSE_ALLOWANCE} elements. Every element of an honest array takes at least one byte,
 * except runs of {@code null}s in arrays of boxes and objects, which Protostuff writes as one count:
 * the allowance lets such arrays through, and bounds what hostile input can make this value allocate
 * to its own size plus {@value #SPARSE_ALLOWANCE} elements, however its arrays are nested.
 *
 * <p>Protostuff reads an array length in two places, and this input recognises both by the schema
 * and field numbers it is asked for:
 *
 * <pre>
 * typed array ({@link ArraySchemas.Base}):  field 1 (int32 length), then the elements
 * polymorphic array (any runtime schema but a POJO's {@link RuntimeSchema}):
 *                   field 15 or 17 (string component type), field 3 (uint32 length),
 *                   field 2 (uint32 dimensions), then the elements
 * array class value: field 20 or 21 (string component type), field 2 (uint32 dimensions)
 * </pre>
 *
 * Dimensions are refused outside 1..255 (the JVM's limit), before Protostuff allocates an array of
 * them. The length of every string and byte field is checked here too before it is read: Protostuff
 * checks it with {@code offset + length > limit}, which overflows for lengths near 2^31 and lets it
 * allocate a 2 GB array for an 18-byte input. Everything else is delegated to a group-encoded
 * {@link ByteArrayInput} (Protostuff's own format).
 *
 * <p>Not thread-safe: one value, one thread.
 */
final class BoundedInput implements Input {

    /** Field numbers of the array headers, as Protostuff's runtime writes them. */
    static final int TYPED_ARRAY_LENGTH = 1;

    static final int ARRAY = 15;
    static final int ARRAY_MAPPED = 17;
    static final int CLASS_ARRAY = 20;
    static final int CLASS_ARRAY_MAPPED = 21;
    static final int POLYMORPHIC_ARRAY_LENGTH = 3;
    static final int POLYMORPHIC_ARRAY_DIMENSIONS = 2;
    static final int MAX_DIMENSIONS = 255;
    /** Array elements one value may hold beyond its size in bytes (runs of nulls cost one count each). */
    static final int SPARSE_ALLOWANCE = 64 * 1024;

    private enum Next {
        NONE,
        LENGTH,
        DIMENSIONS
    }

    private enum Header {
        NONE,
        AWAIT_ARRAY_COMPONENT,
        AWAIT_CLASS_COMPONENT,
        AWAIT_LENGTH,
        AWAIT_DIMENSIONS
    }

    private final ByteArrayInput in;
    private final byte[] buffer;
    private final int maxLength;
    private long budget;
    private Next next = Next.NONE;
    private Header header = Header.NONE;

    BoundedInput(byte[] buffer, int offset, int length, int maxLength) {
        this.in = new ByteArrayInput(buffer, offset, length, true);
        this.buffer = buffer;
        this.maxLength = maxLength;
        this.budget = (long) length + Math.min(SPARSE_ALLOWANCE, maxLength);
    }

    /** Checks that the whole input was one message. */
    void checkEnd() throws IOException {
        in.checkLastTagWas(0);
    }

    private int bytesLeft() {
        return in.currentLimit() - in.currentOffset();
    }

    @Override
    public <T> int readFieldNumber(Schema<T> schema) throws IOException {
        int number = in.readFieldNumber(schema);
        next = Next.NONE;
        if (schema instanceof ArraySchemas.Base && number == TYPED_ARRAY_LENGTH) {
            next = Next.LENGTH;
            header = Header.NONE;
        } else if (header == Header.AWAIT_LENGTH && number == POLYMORPHIC_ARRAY_LENGTH) {
            next = Next.LENGTH;
            header = Header.AWAIT_DIMENSIONS;
        } else if (header == Header.AWAIT_DIMENSIONS && number == POLYMORPHIC_ARRAY_DIMENSIONS) {
            next = Next.DIMENSIONS;
            header = Header.NONE;
        } else if (!(schema instanceof RuntimeSchema) && (number == ARRAY || number == ARRAY_MAPPED)) {
            header = Header.AWAIT_ARRAY_COMPONENT;
        } else if (!(schema instanceof RuntimeSchema) && (number == CLASS_ARRAY || number == CLASS_ARRAY_MAPPED)) {
            header = Header.AWAIT_CLASS_COMPONENT;
        } else {
            header = Header.NONE;
        }
        return number;
    }

    private int checked(int value) {
        Next kind = next;
        next = Next.NONE;
        if (kind == Next.LENGTH) {
            if (value < 0 || value > maxLength || value > budget) {
                throw new SerializationException("Corrupt input: array length " + (value & 0xFFFFFFFFL)
                        + " exceeds what " + bytesLeft() + " bytes left can hold (" + Math.max(0, budget)
                        + " elements left for this value, at most " + maxLength + " per array)");
            }
            budget -= value;
        } else if (kind == Next.DIMENSIONS && (value < 1 || value > MAX_DIMENSIONS)) {
            throw new SerializationException("Corrupt input: " + (value & 0xFFFFFFFFL) + " array dimensions");
        }
        return value;
    }

    /**
     * Checks the varint length prefix at the current offset (read as {@link ByteArrayInput} reads it:
     * the low 32 bits) against the bytes left, without consuming it.
     */
    private void checkDelimited() {
        int p = in.currentOffset();
        int limit = in.currentLimit();
        int length = 0;
        for (int i = 0; i < 5; i++) {
            if (p >= limit) {
                return; // truncated: the delegate reports it
            }
            byte b = buffer[p++];
            length |= (i < 4 ? b & 0x7F : b) << (7 * i);
            if (b >= 0) {
                break;
            }
        }
        if (length < 0 || length > limit - in.currentOffset() || length > maxLength) {
            throw new SerializationException("Corrupt input: length " + (length & 0xFFFFFFFFL) + " exceeds the "
                    + (limit - in.currentOffset()) + " bytes left");
        }
    }

    @Override
    public int readInt32() throws IOException {
        return checked(in.readInt32());
    }

    @Override
    public int readUInt32() throws IOException {
        return checked(in.readUInt32());
    }

    @Override
    public <T> T mergeObject(T value, Schema<T> schema) throws IOException {
        // Group-encoded, as ByteArrayInput does for Protostuff's format, but through this input.
        next = Next.NONE;
        header = Header.NONE;
        T message = value == null ? schema.newMessage() : value;
        schema.mergeFrom(this, message);
        if (!schema.isInitialized(message)) {
            throw new UninitializedMessageException(message, schema);
        }
        in.checkLastTagWas(0);
        return message;
    }

    @Override
    public <T> void handleUnknownField(int fieldNumber, Schema<T> schema) throws IOException {
        in.handleUnknownField(fieldNumber, schema);
    }

    @Override
    public int readSInt32() throws IOException {
        return in.readSInt32();
    }

    @Override
    public int readFixed32() throws IOException {
        return in.readFixed32();
    }

    @Override
    public int readSFixed32() throws IOException {
        return in.readSFixed32();
    }

    @Override
    public long readInt64() throws IOException {
        return in.readInt64();
    }

    @Override
    public long readUInt64() throws IOException {
        return in.readUInt64();
    }

    @Override
    public long readSInt64() throws IOException {
        return in.readSInt64();
    }

    @Override
    public long readFixed64() throws IOException {
        return in.readFixed64();
    }

    @Override
    public long readSFixed64() throws IOException {
        return in.readSFixed64();
    }

    @Override
    public float readFloat() throws IOException {
        return in.readFloat();
    }

    @Override
    public double readDouble() throws IOException {
        return in.readDouble();
    }

    @Override
    public boolean readBool() throws IOException {
        return in.readBool();
    }

    @Override
    public int readEnum() throws IOException {
        return in.readEnum();
    }

    @Override
    public String readString() throws IOException {
        next = Next.NONE;
        if (header == Header.AWAIT_ARRAY_COMPONENT) {
            header = Header.AWAIT_LENGTH;
        } else if (header == Header.AWAIT_CLASS_COMPONENT) {
            header = Header.AWAIT_DIMENSIONS;
        }
        checkDelimited();
        return in.readString();
    }

    @Override
    public ByteString readBytes() throws IOException {
        checkDelimited();
        return in.readBytes();
    }

    @Override
    public void readBytes(ByteBuffer bb) throws IOException {
        checkDelimited();
        in.readBytes(bb);
    }

    @Override
    public byte[] readByteArray() throws IOException {
        checkDelimited();
        return in.readByteArray();
    }

    @Override
    public ByteBuffer readByteBuffer() throws IOException {
        checkDelimited();
        return in.readByteBuffer();
    }

    @Override
    public void transferByteRangeTo(Output output, boolean utf8String, int fieldNumber, boolean repeated)
            throws IOException {
        checkDelimited();
        in.transferByteRangeTo(output, utf8String, fieldNumber, repeated);
    }
}
