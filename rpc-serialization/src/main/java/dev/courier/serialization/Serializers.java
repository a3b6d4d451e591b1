package dev.courier.serialization;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * The serializers installed on the classpath (found through {@link SerializerProvider} with
 * {@link ServiceLoader}), each bound to one {@link TypeAllowlist}. An endpoint holds one instance and
 * looks serializers up by the id in a frame header or by configured name.
 *
 * <p>This class is immutable and thread-safe.
 */
public final class Serializers {

    /** The serializer used when none is configured. */
    public static final String DEFAULT_NAME = "kryo";

    private final Serializer[] byId = new Serializer[256];
    private final Map<String, Serializer> byName;

    private Serializers(Map<String, Serializer> byName) {
        this.byName = Collections.unmodifiableMap(byName);
        for (Serializer s : byName.values()) {
            byId[s.id() & 0xFF] = s;
        }
    }

    /** Creates every installed serializer for {@code allowlist}. */
    public static Serializers load(TypeAllowlist allowlist) {
        return load(allowlist, Serializers.class.getClassLoader());
    }

    /** Creates every serializer installed in {@code loader} for {@code allowlist}. */
    public static Serializers load(TypeAllowlist allowlist, ClassLoader loader) {
        Map<String, Serializer> byName = new LinkedHashMap<>();
        Map<Byte, String> ids = new LinkedHashMap<>();
        for (SerializerProvider provider : ServiceLoader.load(SerializerProvider.class, loader)) {
            String clash = ids.putIfAbsent(provider.id(), provider.name());
            if (clash != null) {
                throw new IllegalStateException(
                        "Serializers '" + clash + "' and '" + provider.name() + "' both claim id " + provider.id());
            }
            byName.put(provider.name(), provider.create(allowlist));
        }
        return new Serializers(byName);
    }

    /** The serializer with frame-header id {@code id}, or {@code null} when none is installed. */
    public Serializer find(byte id) {
        return byId[id & 0xFF];
    }

    /**
     * The serializer called {@code name}.
     *
     * @throws IllegalArgumentException when no installed serializer has that name
     */
    public Serializer byName(String name) {
        Serializer s = byName.get(name);
        if (s == null) {
            throw new IllegalArgumentException("Unknown serializer '" + name + "'; installed: " + byName.keySet());
        }
        return s;
    }

    /** The {@value #DEFAULT_NAME} serializer. */
    public Serializer defaultSerializer() {
        return byName(DEFAULT_NAME);
    }

    /** Every installed serializer. */
    public Collection<Serializer> all() {
        return byName.values();
    }
}
