package dev.courier.serialization.internal.protostuff;

import dev.courier.serialization.Serializer;
import dev.courier.serialization.SerializerProvider;
import dev.courier.serialization.TypeAllowlist;

/** Provides {@link ProtostuffSerializer}s. Stateless and thread-safe. */
public final class ProtostuffSerializerProvider implements SerializerProvider {

    @Override
    public byte id() {
        return ProtostuffSerializer.ID;
    }

    @Override
    public String name() {
        return ProtostuffSerializer.NAME;
    }

    @Override
    public Serializer create(TypeAllowlist allowlist) {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return new ProtostuffSerializer(
                allowlist, context != null ? context : ProtostuffSerializerProvider.class.getClassLoader());
    }
}
