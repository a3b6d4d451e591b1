package dev.courier.serialization.internal.kryo;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Writes the JDK's private immutable collections ({@code List.of}, {@code Collections.unmodifiable*},
 * {@code emptyList}, {@code singleton}, {@code Arrays.asList}...) by their elements, which needs no
 * reflection into {@code java.base}, and reads them back as unmodifiable standard equivalents that keep
 * iteration order and allow {@code null} elements:
 *
 * <pre>
 * size      varint
 * elements  size x (class tag + value); for maps key then value
 * </pre>
 *
 * Stateless and thread-safe.
 */
@SuppressWarnings({"rawtypes", "unchecked"})
final class ImmutableContainerSerializer extends Serializer<Object> {

    enum Kind {
        LIST,
        SET,
        MAP
    }

    private final Kind kind;

    ImmutableContainerSerializer(Kind kind) {
        super(false, true);
        this.kind = kind;
    }

    @Override
    public void write(Kryo kryo, Output output, Object value) {
        if (kind == Kind.MAP) {
            Map<?, ?> map = (Map<?, ?>) value;
            output.writeVarInt(map.size(), true);
            for (Map.Entry<?, ?> e : map.entrySet()) {
                kryo.writeClassAndObject(output, e.getKey());
                kryo.writeClassAndObject(output, e.getValue());
            }
        } else {
            Collection<?> c = (Collection<?>) value;
            output.writeVarInt(c.size(), true);
            for (Object element : c) {
                kryo.writeClassAndObject(output, element);
            }
        }
    }

    @Override
    public Object read(Kryo kryo, Input input, Class<?> type) {
        int size = input.readVarInt(true);
        CheckedSerializers.checkLength(input, size);
        switch (kind) {
            case MAP -> {
                Map map = new LinkedHashMap<>(Math.max(16, (int) (size / 0.75f) + 1));
                for (int i = 0; i < size; i++) {
                    map.put(kryo.readClassAndObject(input), kryo.readClassAndObject(input));
                }
                return Collections.unmodifiableMap(map);
            }
            case SET -> {
                LinkedHashSet set = new LinkedHashSet<>(Math.max(16, (int) (size / 0.75f) + 1));
                for (int i = 0; i < size; i++) {
                    set.add(kryo.readClassAndObject(input));
                }
                return Collections.unmodifiableSet(set);
            }
            default -> {
                List list = new ArrayList<>(size);
                for (int i = 0; i < size; i++) {
                    list.add(kryo.readClassAndObject(input));
                }
                return Collections.unmodifiableList(list);
            }
        }
    }
}
