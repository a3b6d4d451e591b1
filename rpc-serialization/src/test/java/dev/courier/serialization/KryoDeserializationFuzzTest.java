package dev.courier.serialization;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.courier.serialization.internal.kryo.KryoSerializerProvider;

/** Fuzzes {@code KryoSerializer.deserialize} under the contract suite's allowlist ({@link DeserializationFuzzing}). */
class KryoDeserializationFuzzTest {

    private static final Serializer SERIALIZER = new KryoSerializerProvider().create(Fixtures.allowlist());

    @FuzzTest
    void decodesOrRefusesWithATypedErrorWithinBoundedMemory(byte[] input) {
        DeserializationFuzzing.check(SERIALIZER, input);
    }
}
