package dev.courier.serialization.internal.protostuff;

import dev.courier.serialization.SerializationException;
import io.protostuff.Input;
import io.protostuff.Output;
import io.protostuff.Pipe;
import io.protostuff.WireFormat.FieldType;
import io.protostuff.runtime.Delegate;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Writes an array of a primitive type other than {@code byte} as one length-delimited field holding its
 * elements' bytes (big-endian; a {@code boolean} is one byte, 0 or 1), so that decoding allocates only
 * what the input holds: the input checks the field's length against the bytes that follow before
 * anything is allocated. Protostuff's own array schema allocates the array from an element count read
 * off the wire, before reading any element, so a corrupt count costs gigabytes. Thread-safe.
 */
final class PrimitiveArrayDelegate implements Delegate<Object> {

    static final List<PrimitiveArrayDelegate> ALL = List.of(
            new PrimitiveArrayDelegate(boolean[].class, 1),
            new PrimitiveArrayDelegate(char[].class, Character.BYTES),
            new PrimitiveArrayDelegate(short[].class, Short.BYTES),
            new PrimitiveArrayDelegate(int[].class, Integer.BYTES),
            new PrimitiveArrayDelegate(long[].class, Long.BYTES),
            new PrimitiveArrayDelegate(float[].class, Float.BYTES),
            new PrimitiveArrayDelegate(double[].class, Double.BYTES));

    private final Class<?> type;
    private final int elementBytes;

    private PrimitiveArrayDelegate(Class<?> type, int elementBytes) {
        this.type = type;
        this.elementBytes = elementBytes;
    }

    @Override
    public FieldType getFieldType() {
        return FieldType.BYTES;
    }

    @Override
    public Object readFrom(Input input) throws IOException {
        byte[] bytes = input.readByteArray();
        if (bytes.length % elementBytes != 0) {
            throw new SerializationException("Corrupt input: " + bytes.length + " bytes for a " + type.getSimpleName()
                    + " (" + elementBytes + " per element)");
        }
        return decode(ByteBuffer.wrap(bytes), bytes.length / elementBytes);
    }

    private Object decode(ByteBuffer in, int n) {
        if (type == boolean[].class) {
            boolean[] a = new boolean[n];
            for (int i = 0; i < n; i++) {
                byte b = in.get(i);
                if (b != 0 && b != 1) {
                    throw new SerializationException("Corrupt input: " + b + " for a boolean");
                }
                a[i] = b == 1;
            }
            return a;
        } else if (type == char[].class) {
            char[] a = new char[n];
            in.asCharBuffer().get(a);
            return a;
        } else if (type == short[].class) {
            short[] a = new short[n];
            in.asShortBuffer().get(a);
            return a;
        } else if (type == int[].class) {
            int[] a = new int[n];
            in.asIntBuffer().get(a);
            return a;
        } else if (type == long[].class) {
            long[] a = new long[n];
            in.asLongBuffer().get(a);
            return a;
        } else if (type == float[].class) {
            float[] a = new float[n];
            in.asFloatBuffer().get(a);
            return a;
        }
        double[] a = new double[n];
        in.asDoubleBuffer().get(a);
        return a;
    }

    @Override
    public void writeTo(Output output, int number, Object value, boolean repeated) throws IOException {
        output.writeByteArray(number, encode(value), repeated);
    }

    private static byte[] encode(Object value) {
        if (value instanceof boolean[] a) {
            byte[] out = new byte[a.length];
            for (int i = 0; i < a.length; i++) {
                out[i] = (byte) (a[i] ? 1 : 0);
            }
            return out;
        } else if (value instanceof char[] a) {
            ByteBuffer out = ByteBuffer.allocate(a.length * Character.BYTES);
            out.asCharBuffer().put(a);
            return out.array();
        } else if (value instanceof short[] a) {
            ByteBuffer out = ByteBuffer.allocate(a.length * Short.BYTES);
            out.asShortBuffer().put(a);
            return out.array();
        } else if (value instanceof int[] a) {
            ByteBuffer out = ByteBuffer.allocate(a.length * Integer.BYTES);
            out.asIntBuffer().put(a);
            return out.array();
        } else if (value instanceof long[] a) {
            ByteBuffer out = ByteBuffer.allocate(a.length * Long.BYTES);
            out.asLongBuffer().put(a);
            return out.array();
        } else if (value instanceof float[] a) {
            ByteBuffer out = ByteBuffer.allocate(a.length * Float.BYTES);
            out.asFloatBuffer().put(a);
            return out.array();
        }
        double[] a = (double[]) value;
        ByteBuffer out = ByteBuffer.allocate(a.length * Double.BYTES);
        out.asDoubleBuffer().put(a);
        return out.array();
    }

    @Override
    public void transfer(Pipe pipe, Input input, Output output, int number, boolean repeated) throws IOException {
        input.transferByteRangeTo(output, false, number, repeated);
    }

    @Override
    public Class<?> typeClass() {
        return type;
    }
}
