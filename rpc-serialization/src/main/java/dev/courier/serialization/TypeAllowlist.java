package dev.courier.serialization;

import dev.courier.serialization.internal.JdkTypes;
import dev.courier.serialization.internal.TypeWalker;

import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The classes a {@link Serializer} may write and read. Made of a fixed set of safe JDK value types
 * (primitives and their boxes, strings, common collections and maps including the immutable
 * {@code List.of}/{@code Collections.unmodifiable*} implementations, {@code Optional}, time types,
 * {@code UUID}, big numbers, common exceptions), the classes registered explicitly, and the
 * parameter, return and exception types of the service interfaces registered with
 * {@link Builder#allowServiceInterface(Class)} together with the types reachable from their fields.
 * Arrays of allowed classes are allowed, and so are the constant-body subclasses of allowed enums.
 *
 * <p>Membership is a set, so two allowlists built from the same classes in a different order are
 * equal in effect; serializers never derive wire ids from the order of registration.
 *
 * <p>This class is immutable and thread-safe.
 */
public final class TypeAllowlist {

    private static final Map<String, Class<?>> PRIMITIVE_ARRAY_CODES = Map.of(
            "Z", boolean.class, "B", byte.class, "C", char.class, "S", short.class,
            "I", int.class, "J", long.class, "F", float.class, "D", double.class);

    private final Set<Class<?>> classes;
    private final Set<String> names;

    private TypeAllowlist(Set<Class<?>> classes) {
        this.classes = Collections.unmodifiableSet(classes);
        Set<String> n = new HashSet<>();
        for (Class<?> c : classes) {
            n.add(c.getName());
        }
        this.names = Collections.unmodifiableSet(n);
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
        if (classes.contains(type)) {
            return true;
        }
        if (type.isArray()) {
            return isAllowed(type.getComponentType());
        }
        Class<?> parent = type.getSuperclass();
        return parent != null && parent.isEnum() && !type.isEnum() && classes.contains(parent);
    }

    /**
     * Whether the class named {@code className} (as {@link Class#getName()} spells it, arrays included)
     * may be serialized. Answers from the name alone, without loading the class, so a reader can refuse
     * a class before any of its code runs.
     */
    public boolean isAllowed(String className) {
        if (className == null || className.isEmpty()) {
            return false;
        }
        if (names.contains(className)) {
            return true;
        }
        if (className.charAt(0) != '[') {
            return false;
        }
        String component = className.substring(1);
        if (component.startsWith("[")) {
            return isAllowed(component);
        }
        if (component.length() == 1) {
            return PRIMITIVE_ARRAY_CODES.containsKey(component);
        }
        if (component.length() > 2 && component.charAt(0) == 'L' && component.endsWith(";")) {
            return names.contains(component.substring(1, component.length() - 1));
        }
        return false;
    }

    /** Every class explicitly in this allowlist (arrays and enums of these are allowed too). */
    public Set<Class<?>> classes() {
        return classes;
    }

    /** Collects classes; not thread-safe. */
    public static final class Builder {
        private final Set<Class<?>> classes = new LinkedHashSet<>(JdkTypes.defaults());
        private final TypeWalker walker = new TypeWalker(classes);

        private Builder() {
        }

        /**
         * Allows each of {@code types}, and the application classes reachable from their non-static,
         * non-transient fields and record components.
         */
        public Builder allow(Class<?>... types) {
            for (Class<?> type : types) {
                walker.walkClass(type);
            }
            return this;
        }

        /**
         * Allows the parameter, return and declared exception types of {@code serviceInterface}, their
         * generic type arguments and array components ({@code CompletableFuture<T>} stands for {@code T}),
         * and the application classes reachable from their fields and record components.
         */
        public Builder allowServiceInterface(Class<?> serviceInterface) {
            if (!serviceInterface.isInterface()) {
                throw new IllegalArgumentException(serviceInterface.getName() + " is not an interface");
            }
            walker.walkServiceInterface(serviceInterface);
            return this;
        }

        public TypeAllowlist build() {
            return new TypeAllowlist(new LinkedHashSet<>(classes));
        }
    }
}
