package dev.courier.serialization.internal.kryo;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.serializers.DefaultSerializers;
import dev.courier.serialization.internal.JdkTypes;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Picks the Kryo serializer for an allowed class: exceptions and the JDK's immutable collections get
 * serializers that need no reflection into {@code java.base}; the common mutable containers and the
 * arrays (object and primitive) get size-checked serializers that refuse a corrupt length before
 * allocating; everything else gets Kryo's default (field, record, enum, time...).
 *
 * <p>Stateless and thread-safe.
 */
final class SerializerChooser {

    Serializer<?> serializerFor(Kryo kryo, Class<?> type) {
        if (Throwable.class.isAssignableFrom(type)) {
            return new ThrowableSerializer();
        }
        if (JdkTypes.IMMUTABLE_LISTS.contains(type)) {
            return new ImmutableContainerSerializer(ImmutableContainerSerializer.Kind.LIST);
        }
        if (JdkTypes.IMMUTABLE_SETS.contains(type)) {
            return new ImmutableContainerSerializer(ImmutableContainerSerializer.Kind.SET);
        }
        if (JdkTypes.IMMUTABLE_MAPS.contains(type)) {
            return new ImmutableContainerSerializer(ImmutableContainerSerializer.Kind.MAP);
        }
        if (type == ArrayList.class
                || type == LinkedList.class
                || type == HashSet.class
                || type == LinkedHashSet.class
                || type == ArrayDeque.class) {
            return new CheckedSerializers.CollectionSerializer();
        }
        if (type == HashMap.class || type == LinkedHashMap.class || type == ConcurrentHashMap.class) {
            return new CheckedSerializers.MapSerializer();
        }
        if (type == UUID.class) {
            return new DefaultSerializers.UUIDSerializer();
        }
        if (type.isArray() && !type.getComponentType().isPrimitive()) {
            return new CheckedSerializers.ObjectArraySerializer(kryo, type);
        }
        if (type.isArray()) {
            return new CheckedSerializers.PrimitiveArraySerializer(kryo.getDefaultSerializer(type));
        }
        return kryo.getDefaultSerializer(type);
    }
}
