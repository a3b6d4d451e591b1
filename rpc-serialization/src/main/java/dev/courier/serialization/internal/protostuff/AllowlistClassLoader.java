package dev.courier.serialization.internal.protostuff;

import dev.courier.serialization.SerializationException;
import dev.courier.serialization.TypeAllowlist;

/**
 * A class loader that defines nothing and refuses, by name and before any loading, every class outside
 * a {@link TypeAllowlist}; allowed names are loaded by the parent. Protostuff loads every class named in
 * its input through the thread's context class loader, so {@link ProtostuffSerializer} installs this one
 * for the duration of a read. The refusal is an unchecked {@link SerializationException}, so Protostuff
 * cannot fall back to another loader.
 *
 * <p>Thread-safe.
 */
final class AllowlistClassLoader extends ClassLoader {

    static {
        registerAsParallelCapable();
    }

    private static final String OBJECT = Object.class.getName();

    private final TypeAllowlist allowlist;

    AllowlistClassLoader(TypeAllowlist allowlist, ClassLoader parent) {
        super("courier-allowlist", parent);
        this.allowlist = allowlist;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        // java.lang.Object is named as the component type of Object[]; an Object instance is harmless.
        if (!allowlist.isAllowed(name) && !OBJECT.equals(name)) {
            throw SerializationException.notAllowed(name);
        }
        return getParent().loadClass(name);
    }
}
