package dev.courier.serialization;

import dev.courier.serialization.internal.kryo.KryoSerializerProvider;

class KryoSerializerTest extends SerializerContractTest {

    @Override
    protected SerializerProvider provider() {
        return new KryoSerializerProvider();
    }
}
