package dev.courier.serialization;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SerializersTest {

    private final Serializers serializers = Serializers.load(Fixtures.allowlist());

    @Test
    void bothSerializersAreFoundThroughTheServiceLoader() {
        assertThat(serializers.all()).extracting(Serializer::name).containsExactlyInAnyOrder("kryo", "protostuff");
        assertThat(serializers.find((byte) 1).name()).isEqualTo("kryo");
        assertThat(serializers.find((byte) 2).name()).isEqualTo("protostuff");
        assertThat(serializers.find((byte) 3)).isNull();
    }

    @Test
    void kryoIsTheDefault() {
        assertThat(serializers.defaultSerializer().name()).isEqualTo("kryo");
        assertThat(serializers.defaultSerializer().id()).isEqualTo((byte) 1);
    }

    @Test
    void unknownNamesAreRefused() {
        assertThatThrownBy(() -> serializers.byName("json"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kryo");
    }

    @Test
    void loadedSerializersHonourTheAllowlist() {
        for (Serializer s : serializers.all()) {
            Fixtures.Order order = Fixtures.sampleOrder();
            assertThat(s.deserialize(s.serialize(order), Fixtures.Order.class)).isEqualTo(order);
            assertThatThrownBy(() -> s.serialize(new Fixtures.SecretA("x"))).isInstanceOf(SerializationException.class);
        }
    }
}
