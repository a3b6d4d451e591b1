package dev.courier.rpc.internal.protocol;

import dev.courier.serialization.SerializationException;
import dev.courier.serialization.Serializer;
import dev.courier.serialization.SerializerProvider;
import dev.courier.serialization.TypeAllowlist;
import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/** A serializer of strings only, so codec tests do not depend on a real serializer. */
public final class Utf8TestSerializer implements Serializer {

    public static final Utf8TestSerializer INSTANCE = new Utf8TestSerializer();

    /** Installs this serializer (id 42) through the ServiceLoader in rpc-core's tests. */
    public static final class Provider implements SerializerProvider {
        @Override
        public byte id() {
            return INSTANCE.id();
        }

        @Override
        public String name() {
            return INSTANCE.name();
        }

        @Override
        public Serializer create(TypeAllowlist allowlist) {
            return INSTANCE;
        }
    }

    @Override
    public byte id() {
        return 42;
    }

    @Override
    public String name() {
        return "utf8-test";
    }

    @Override
    public void serialize(Object value, ByteBuf out) {
        if (!(value instanceof String s)) {
            throw SerializationException.notAllowed(
                    value == null ? "null" : value.getClass().getName());
        }
        out.writeCharSequence(s, StandardCharsets.UTF_8);
    }

    @Override
    public <T> T deserialize(ByteBuf in, Class<T> type) {
        String s =
                in.readCharSequence(in.readableBytes(), StandardCharsets.UTF_8).toString();
        return type.cast(s);
    }
}
