package dev.courier.serialization;

import dev.courier.serialization.Fixtures.Circle;
import dev.courier.serialization.Fixtures.Drawing;
import dev.courier.serialization.internal.kryo.KryoSerializerProvider;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class KryoSerializerTest extends SerializerContractTest {

    @Override
    protected SerializerProvider provider() {
        return new KryoSerializerProvider();
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
