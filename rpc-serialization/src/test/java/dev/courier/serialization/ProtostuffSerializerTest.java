package dev.courier.serialization;

import dev.courier.serialization.Fixtures.Circle;
import dev.courier.serialization.Fixtures.Drawing;
import dev.courier.serialization.internal.protostuff.ProtostuffSerializerProvider;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

class ProtostuffSerializerTest extends SerializerContractTest {

    private final Serializer serializer = provider().create(Fixtures.allowlist());

    @Override
    protected SerializerProvider provider() {
        return new ProtostuffSerializerProvider();
    }

    /**
     * <pre>
     * int32 BE     envelope length
     * 0b           envelope field 1, start group (the polymorphic value)
     * 88 02        field 33: an array of scalars
     * 04           its array id: int[]
     * 08 varint    field 1: the length
     * 10 07        field 2: the element 7
     * 0c           end group
     * </pre>
     */
    @Override
    protected byte[] intArrayAnnouncing(int length) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0x0b, (byte) 0x88, 0x02, 0x04, 0x08});
        KryoSerializerTest.writeVarint(body, length);
        body.writeBytes(new byte[] {0x10, 0x07, 0x0c});
        return withEnvelopeLength(body);
    }

    private static byte[] withEnvelopeLength(ByteArrayOutputStream body) {
        return ByteBuffer.allocate(4 + body.size())
                .putInt(body.size())
                .put(body.toByteArray())
                .array();
    }

    /** An {@code Object[]}: field 15 names the component, field 3 the length, field 2 the dimensions. */
    private static byte[] objectArrayAnnouncing(long length, long dimensions) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] component = "java.lang.Object".getBytes(StandardCharsets.US_ASCII);
        body.writeBytes(new byte[] {0x0b, 0x7a, (byte) component.length});
        body.writeBytes(component);
        body.write(0x18);
        KryoSerializerTest.writeVarint(body, length);
        body.write(0x10);
        KryoSerializerTest.writeVarint(body, dimensions);
        body.writeBytes(new byte[] {0x0b, 0x28, 0x07, 0x0c, 0x0c});
        return withEnvelopeLength(body);
    }

    @Test
    void hugeObjectArraysAndDimensionsAreRefusedWithoutAllocating() {
        assertThat(serializer.deserialize(objectArrayAnnouncing(1, 1), Object[].class))
                .containsExactly(7);
        for (byte[] hostile : new byte[][] {
            objectArrayAnnouncing(400_000_000, 1),
            objectArrayAnnouncing(1, 400_000_000),
            objectArrayAnnouncing(400_000_000, 2),
            objectArrayAnnouncing(0xFFFF_FFFFL, 1)
        }) {
            long before = allocatedBytes();
            Throwable failure = catchThrowable(() -> serializer.deserialize(hostile, Object.class));
            long allocated = allocatedBytes() - before;
            assertThat(failure).isInstanceOf(SerializationException.class).hasMessageContaining("Corrupt input");
            assertThat(allocated).isLessThan(ALLOCATION_BOUND);
        }
    }

    @Test
    void arraysOfNullsRoundTripButCannotAddUpPastTheInputSizeAndAllowance() {
        // Protostuff writes a run of nulls as one count: an Integer[1000] of nulls takes a few bytes.
        Integer[] sparse = new Integer[1000];
        sparse[3] = 3;
        byte[] bytes = serializer.serialize(sparse);
        assertThat(bytes.length).isLessThan(100);
        assertThat(serializer.deserialize(bytes, Integer[].class)).hasSize(1000).containsOnlyOnce(3);
        // 200 of them would allocate 200,000 slots from about 2 KB: past the input size plus the allowance.
        Integer[][] many = new Integer[200][];
        for (int i = 0; i < many.length; i++) {
            many[i] = new Integer[1000];
        }
        byte[] hostile = serializer.serialize(many);
        assertThat(hostile.length).isLessThan(200 * 20);
        assertThat(catchThrowable(() -> serializer.deserialize(hostile, Object.class)))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("array length");
    }

    @Test
    void aStringOrBytesLengthNearTwoGigabytesIsRefusedWithoutAllocating() {
        // Protostuff's own check (offset + length > limit) overflows for such lengths.
        byte[] hostile = {
            0x00,
            0x00,
            0x00,
            0x0e,
            0x0a,
            (byte) 0xdf,
            0x00,
            (byte) 0xf8,
            (byte) 0xff,
            (byte) 0xff,
            (byte) 0xff,
            (byte) 0xf7,
            0x7a,
            0x00,
            0x00,
            0x06,
            0x00,
            0x00
        };
        serializer.deserialize(serializer.serialize("warm up"), String.class);
        long before = allocatedBytes();
        Throwable failure = catchThrowable(() -> serializer.deserialize(hostile, Object.class));
        long allocated = allocatedBytes() - before;
        assertThat(failure).isInstanceOf(SerializationException.class).hasMessageContaining("Corrupt input");
        assertThat(allocated).isLessThan(ALLOCATION_BOUND);
    }

    private final Serializer protostuff = provider().create(Fixtures.allowlist());

    @Test
    void sharedReferencesArriveAsEqualCopies() {
        Circle circle = new Circle("c", 1.5);
        Drawing drawing = new Drawing();
        drawing.shapes.add(circle);
        drawing.shapes.add(circle);
        drawing.main = circle;

        Drawing back = protostuff.deserialize(protostuff.serialize(drawing), Drawing.class);

        assertThat(back).isEqualTo(drawing);
        assertThat(back.shapes.get(0)).isEqualTo(back.main).isNotSameAs(back.main);
    }

    @Test
    void aCycleIsRefusedWithAClearError() {
        Drawing drawing = new Drawing();
        List<Object> loop = new ArrayList<>();
        loop.add(drawing);
        drawing.anything = loop;

        Throwable failure = catchThrowable(() -> protostuff.serialize(drawing));

        assertThat(failure)
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("has a cycle")
                .hasMessageContaining("kryo");
    }
}
