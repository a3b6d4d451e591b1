package dev.courier.serialization.internal.kryo;

import dev.courier.serialization.Serializer;
import dev.courier.serialization.SerializerProvider;
import dev.courier.serialization.TypeAllowlist;

/** Provides {@link KryoSerializer}s. Stateless and thread-safe. */
public final class KryoSerializerProvider implements SerializerProvider {

    @Override
    public byte id() {
        return KryoSerializer.ID;
    }

    @Override
    public String name() {
        return KryoSerializer.NAME;
    }

    @Override
    public Serializer create(TypeAllowlist allowlist) {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return new KryoSerializer(allowlist, context != null ? context : KryoSerializerProvider.class.getClassLoader());
    }
}
