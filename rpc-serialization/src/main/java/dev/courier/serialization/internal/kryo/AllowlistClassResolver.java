package dev.courier.serialization.internal.kryo;

import com.esotericsoftware.kryo.ClassResolver;
import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.IdentityMap;
import com.esotericsoftware.kryo.util.IdentityObjectIntMap;
import com.esotericsoftware.kryo.util.Util;
import dev.courier.serialization.SerializationException;
import dev.courier.serialization.TypeAllowlist;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A Kryo {@link ClassResolver} that writes class <em>names</em>, never registration ids, so two
 * endpoints whose allowlists were built in different orders (or hold different extra classes) read
 * each other's bytes. Each name is written once per object graph; repeats are a small back-reference.
 *
 * <pre>
 * class tag := varint 0                      null
 *            | varint 1, string className    first use of a class in this graph (it gets the next index)
 *            | varint 2 + index              a class named earlier in this graph
 * </pre>
 *
 * <p>Every class is checked against the {@link TypeAllowlist}: when written, and when read <em>by
 * name, before it is loaded</em>. Registration is implicit for allowed classes and refused for the
 * rest, so ids handed out by Kryo are local to one instance and never on the wire. A name once read
 * is resolved from a cache of this instance from then on.
 *
 * <p>Not thread-safe, like the {@link Kryo} instance it belongs to.
 */
@SuppressWarnings("rawtypes") // Kryo's ClassResolver interface uses raw Class.
final class AllowlistClassResolver implements ClassResolver {

    /** Registrations carry no id: ids are never written. */
    private static final int UNNUMBERED = -1;

    /** The most names {@link #resolved} keeps, against a peer that sends ever new (allowed) array names. */
    private static final int MAX_RESOLVED = 1024;

    private static final int TAG_NULL = 0;
    private static final int TAG_NEW_NAME = 1;
    private static final int TAG_FIRST_REFERENCE = 2;

    private static final Map<String, Class<?>> PRIMITIVES = Map.of(
            "boolean",
            boolean.class,
            "byte",
            byte.class,
            "char",
            char.class,
            "short",
            short.class,
            "int",
            int.class,
            "long",
            long.class,
            "float",
            float.class,
            "double",
            double.class,
            "void",
            void.class);

    private final TypeAllowlist allowlist;
    private final SerializerChooser chooser;
    private final ClassLoader loader;
    private final IdentityMap<Class<?>, Registration> registrations = new IdentityMap<>();
    private final IdentityObjectIntMap<Class<?>> writtenNames = new IdentityObjectIntMap<>();
    private final List<Class<?>> readNames = new ArrayList<>();
    /**
     * Names already checked and loaded, so a class read in every message is looked up once per instance,
     * not checked and loaded again each time (the allowlist is immutable). Only allowed names get in, and
     * at most {@link #MAX_RESOLVED} of them.
     */
    private final Map<String, Class<?>> resolved = new HashMap<>();

    private Kryo kryo;

    AllowlistClassResolver(TypeAllowlist allowlist, SerializerChooser chooser, ClassLoader loader) {
        this.allowlist = allowlist;
        this.chooser = chooser;
        this.loader = loader;
    }

    @Override
    public void setKryo(Kryo kryo) {
        this.kryo = kryo;
    }

    @Override
    public Registration register(Registration registration) {
        registrations.put(registration.getType(), registration);
        Class<?> wrapper = Util.getWrapperClass(registration.getType());
        if (wrapper != registration.getType()) {
            registrations.put(wrapper, registration);
        }
        return registration;
    }

    @Override
    public Registration unregister(int classID) {
        return null;
    }

    @Override
    public Registration registerImplicit(Class type) {
        if (!allowlist.isAllowed(type)) {
            throw SerializationException.notAllowed(type.getName());
        }
        Class<?> parent = type.getSuperclass();
        if (parent != null && parent.isEnum() && !type.isEnum()) {
            // A constant with a body, such as enum A { B { ... } }: travels as its enum.
            Registration registration = kryo.getRegistration(parent);
            registrations.put(type, registration);
            return registration;
        }
        return register(new Registration(type, chooser.serializerFor(kryo, type), UNNUMBERED));
    }

    @Override
    public Registration getRegistration(Class type) {
        return registrations.get(type);
    }

    @Override
    public Registration getRegistration(int classID) {
        return null;
    }

    @Override
    public Registration writeClass(Output output, Class type) {
        if (type == null) {
            output.writeVarInt(TAG_NULL, true);
            return null;
        }
        Registration registration = kryo.getRegistration(type);
        int index = writtenNames.get(type, -1);
        if (index >= 0) {
            output.writeVarInt(TAG_FIRST_REFERENCE + index, true);
        } else {
            writtenNames.put(type, writtenNames.size);
            output.writeVarInt(TAG_NEW_NAME, true);
            // The registration's type, not the value's: an enum constant body travels as its enum.
            output.writeString(registration.getType().getName());
        }
        return registration;
    }

    @Override
    public Registration readClass(Input input) {
        int tag = input.readVarInt(true);
        if (tag == TAG_NULL) {
            return null;
        }
        Class<?> type;
        if (tag == TAG_NEW_NAME) {
            type = resolve(input.readString());
            readNames.add(type);
        } else {
            int index = tag - TAG_FIRST_REFERENCE;
            if (index < 0 || index >= readNames.size()) {
                throw new KryoException("Corrupt input: unknown class reference " + index);
            }
            type = readNames.get(index);
        }
        return kryo.getRegistration(type);
    }

    private Class<?> resolve(String name) {
        Class<?> known = resolved.get(name);
        if (known != null) {
            return known;
        }
        Class<?> type = load(name);
        if (resolved.size() < MAX_RESOLVED) {
            resolved.put(name, type);
        }
        return type;
    }

    /** The allowed class {@code name}, checked against the allowlist before it is loaded. */
    private Class<?> load(String name) {
        if (!allowlist.isAllowed(name)) {
            throw SerializationException.notAllowed(name);
        }
        Class<?> primitive = PRIMITIVES.get(name);
        if (primitive != null) {
            return primitive;
        }
        try {
            return Class.forName(name, false, loader);
        } catch (ClassNotFoundException e) {
            throw new SerializationException("Allowed class " + name + " is not on the class path", name, e);
        }
    }

    @Override
    public void reset() {
        writtenNames.clear(64);
        readNames.clear();
    }
}
