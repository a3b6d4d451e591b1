package dev.courier.mq.client.internal;

import dev.courier.serialization.Serializer;
import dev.courier.serialization.Serializers;
import dev.courier.serialization.TypeAllowlist;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Turns typed messages into payloads and back with rpc-serialization's default serializer. Thread-safe. */
public final class Codec {

    private final Map<Class<?>, Serializer> byType = new ConcurrentHashMap<>();

    private Serializer serializer(Class<?> type) {
        return byType.computeIfAbsent(
                type,
                t -> Serializers.load(TypeAllowlist.builder().allow(t).build()).defaultSerializer());
    }

    public byte[] encode(Object value) {
        return serializer(value.getClass()).serialize(value);
    }

    public <T> T decode(byte[] payload, Class<T> type) {
        return serializer(type).deserialize(payload, type);
    }
}
