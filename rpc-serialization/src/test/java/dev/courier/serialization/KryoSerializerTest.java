package dev.courier.serialization;

import dev.courier.serialization.Fixtures.Circle;
import dev.courier.serialization.Fixtures.Drawing;
import dev.courier.serialization.internal.kryo.KryoSerializerProvider;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

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

    private final Serializer kryo = provider().create(Fixtures.allowlist());

    @Test
    void sharedReferencesStayShared() {
        Circle circle = new Circle("c", 1.5);
        Drawing drawing = new Drawing();
        drawing.shapes.add(circle);
        drawing.shapes.add(circle);
        drawing.main = circle;

        Drawing back = kryo.deserialize(kryo.serialize(drawing), Drawing.class);

        assertThat(back).isEqualTo(drawing);
        assertThat(back.shapes.get(0)).isSameAs(back.shapes.get(1)).isSameAs(back.main);
    }

    @Test
    void cyclicGraphsSurvive() {
        Drawing drawing = new Drawing();
        List<Object> loop = new ArrayList<>();
        loop.add(drawing);
        loop.add(loop);
        drawing.anything = loop;

        Drawing back = kryo.deserialize(kryo.serialize(drawing), Drawing.class);

        List<?> backLoop = (List<?>) back.anything;
        assertThat(backLoop).hasSize(2);
        assertThat(backLoop.get(0)).isSameAs(back);
        assertThat(backLoop.get(1)).isSameAs(backLoop);
    }
}
