package dev.courier.serialization;

import dev.courier.serialization.Fixtures.Circle;
import dev.courier.serialization.Fixtures.Drawing;
import dev.courier.serialization.internal.protostuff.ProtostuffSerializerProvider;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

class ProtostuffSerializerTest extends SerializerContractTest {

    @Override
    protected SerializerProvider provider() {
        return new ProtostuffSerializerProvider();
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

        assertThat(failure).isInstanceOf(SerializationException.class)
                .hasMessageContaining("has a cycle").hasMessageContaining("kryo");
    }
}
