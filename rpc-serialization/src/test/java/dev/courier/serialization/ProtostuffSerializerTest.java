package dev.courier.serialization;

import dev.courier.serialization.internal.protostuff.ProtostuffSerializerProvider;

class ProtostuffSerializerTest extends SerializerContractTest {

    @Override
    protected SerializerProvider provider() {
        return new ProtostuffSerializerProvider();
    }
}
