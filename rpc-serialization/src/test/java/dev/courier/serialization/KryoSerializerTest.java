package dev.courier.serialization;

import dev.courier.serialization.internal.kryo.KryoSerializerProvider;

import java.io.ByteArrayOutputStream;

class KryoSerializerTest extends SerializerContractTest {

    @Override
    protected SerializerProvider provider() {
        return new KryoSerializerProvider();
    }

    /**
     * <pre>
     * 01 "[I"      class tag: new name, then the name (Kryo's ASCII form: last char | 0x80)
     * 01           reference tag: a new object
     * varint       length + 1
     * 0e           the element 7 (zig-zag varint)
     * </pre>
     */
    @Override
    protected byte[] intArrayAnnouncing(int length) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x01, '[', (byte) ('I' | 0x80), 0x01});
        writeVarint(out, length + 1);
        out.write(0x0e);
        return out.toByteArray();
    }

    static void writeVarint(ByteArrayOutputStream out, long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }
}
