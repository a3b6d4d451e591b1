package dev.courier.serialization;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.courier.serialization.internal.protostuff.ProtostuffSerializerProvider;

/**
 * Fuzzes {@code ProtostuffSerializer.deserialize} under the contract suite's allowlist; the property is
 * {@link DeserializationFuzzing}'s.
 */
class ProtostuffDeserializationFuzzTest {

    private static final Serializer SERIALIZER = new ProtostuffSerializerProvider().create(Fixtures.allowlist());

    @FuzzTest
    void decodesOrRefusesWithATypedErrorWithinBoundedMemory(byte[] input) {
        DeserializationFuzzing.check(SERIALIZER, input);
    }
}
