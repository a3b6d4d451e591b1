package dev.courier.serialization.internal.kryo;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.serializers.DefaultArraySerializers;

import java.util.Collection;
import java.util.Map;

/**
 * Kryo's container serializers with one change: a length read from the input is checked against the
 * bytes left (and the allowlist's {@code maxLength}) before anything is allocated, so a corrupt length
 * fails fast instead of reserving gigabytes. Every element takes at least one byte, which bounds any
 * honest length.
 */
final class CheckedSerializers {

    private CheckedSerializers() {}

    static void checkLength(Input input, long length) {
        if (input instanceof BoundedInput bounded) {
            bounded.check(length);
            return;
        }
        if (length < 0 || length > input.limit() - input.position()) {
            throw new KryoException("Corrupt input: length " + length + " exceeds the "
                    + (input.limit() - input.position()) + " bytes left");
        }
    }

    /** {@link com.esotericsoftware.kryo.serializers.CollectionSerializer} with a checked size. */
    @SuppressWarnings("rawtypes")
    static final class CollectionSerializer
            extends com.esotericsoftware.kryo.serializers.CollectionSerializer<Collection> {
        @Override
        protected Collection create(Kryo kryo, Input input, Class<? extends Collection> type, int size) {
            checkLength(input, size);
            return super.create(kryo, input, type, size);
        }
    }

    /** {@link com.esotericsoftware.kryo.serializers.MapSerializer} with a checked size. */
    @SuppressWarnings("rawtypes")
    static final class MapSerializer extends com.esotericsoftware.kryo.serializers.MapSerializer<Map> {
        @Override
        protected Map create(Kryo kryo, Input input, Class<? extends Map> type, int size) {
            checkLength(input, size);
            return super.create(kryo, input, type, size);
        }
    }

    /** {@link DefaultArraySerializers.ObjectArraySerializer} with a checked length. */
    @SuppressWarnings("rawtypes")
    static final class ObjectArraySerializer extends DefaultArraySerializers.ObjectArraySerializer {
        ObjectArraySerializer(Kryo kryo, Class<?> type) {
            super(kryo, type);
        }

        @Override
        public Object[] read(Kryo kryo, Input input, Class type) {
            int start = input.position();
            int lengthPlusOne = input.readVarInt(true);
            if (lengthPlusOne != 0) {
                checkLength(input, lengthPlusOne - 1L);
            }
            input.setPosition(start);
            return super.read(kryo, input, type);
        }
    }

    /**
     * A primitive array serializer of Kryo's with its length checked first: they all start with
     * {@code varint(length + 1)}, and not all of them read the elements through {@link BoundedInput}'s
     * checked bulk reads ({@code boolean[]} allocates, then reads element by element).
     */
    @SuppressWarnings({"rawtypes", "unchecked"})
    static final class PrimitiveArraySerializer extends com.esotericsoftware.kryo.Serializer<Object> {
        private final com.esotericsoftware.kryo.Serializer delegate;

        PrimitiveArraySerializer(com.esotericsoftware.kryo.Serializer<?> delegate) {
            super(false, true);
            this.delegate = delegate;
        }

        @Override
        public void write(Kryo kryo, com.esotericsoftware.kryo.io.Output output, Object value) {
            delegate.write(kryo, output, value);
        }

        @Override
        public Object read(Kryo kryo, Input input, Class<? extends Object> type) {
            int start = input.position();
            int lengthPlusOne = input.readVarInt(true);
            if (lengthPlusOne != 0) {
                checkLength(input, lengthPlusOne - 1L);
            }
            input.setPosition(start);
            return delegate.read(kryo, input, type);
        }

        @Override
        public Object copy(Kryo kryo, Object original) {
            return delegate.copy(kryo, original);
        }
    }
}
