package dev.courier.serialization;

import dev.courier.serialization.internal.GadgetDenyList;
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
 * <p>A built-in deny-list of known deserialization gadgets (command execution, reflection and class
 * loading, JNDI, RMI, JMX, scripting engines, XSLT templates, and the functor and closure classes of
 * Commons Collections, Groovy, Spring and the like that exploit chains are built from) overrides the
 * allowlist: such a class is never allowed, even when it was registered or reached from a service
 * interface, and a serializer refuses it with a {@link SerializationException} naming the class.
 *
 * <p>{@link #maxLength()} caps every length a serializer reads before the elements it announces
 * (arrays, strings, collections, maps); lengths are also bounded by the bytes left in the input, so
 * corrupt or hostile input cannot make a reader allocate more than it sent.
 *
 * <p>Membership is a set, so two allowlists built from the same classes in a different order are
 * equal in effect; serializers never derive wire ids from the order of registration.
 *
 * <p>This class is immutable and thread-safe.
 */
public final class TypeAllowlist {

    private static final Map<String, Class<?>> PRIMITIVE_ARRAY_CODES = Map.of(
            "Z",
            boolean.class,
            "B",
            byte.class,
            "C",
            char.class,
            "S",
            short.class,
            "I",
            int.class,
            "J",
            long.class,
            "F",
            float.class,
            "D",
            double.class);

    /** The default of {@link #maxLength()}: as many elements as the largest default RPC frame has bytes. */
    public static final int DEFAULT_MAX_LENGTH = 16 * 1024 * 1024;

    private final Set<Class<?>> classes;
    private final Set<String> names;
    private final int maxLength;

    private TypeAllowlist(Set<Class<?>> classes, int maxLength) {
        this.classes = Collections.unmodifiableSet(classes);
        this.maxLength = maxLength;
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
        if (GadgetDenyList.isDenied(type.getName())) {
            return false;
        }
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
        if (className == null || className.isEmpty() || GadgetDenyList.isDenied(className)) {
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

    /**
     * The most elements an array, collection or map, and the most characters a string, may announce
     * when read; a larger length is refused before anything is allocated for it.
     */
    public int maxLength() {
        return maxLength;
    }

    /**
     * Whether {@code className} is on the built-in deny-list of deserialization gadgets, which no
     * allowlist can override.
     */
    public static boolean isDenied(String className) {
        return GadgetDenyList.isDenied(className);
    }

    /** Collects classes; not thread-safe. */
    public static final class Builder {
        private final Set<Class<?>> classes = new LinkedHashSet<>(JdkTypes.defaults());
        private final TypeWalker walker = new TypeWalker(classes);
        private int maxLength = DEFAULT_MAX_LENGTH;

        private Builder() {}

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

        /**
         * Sets {@link TypeAllowlist#maxLength()} (default {@value TypeAllowlist#DEFAULT_MAX_LENGTH}).
         *
         * @throws IllegalArgumentException when {@code maxLength} is negative
         */
        public Builder maxLength(int maxLength) {
            if (maxLength < 0) {
                throw new IllegalArgumentException("maxLength must be at least 0, got " + maxLength);
            }
            this.maxLength = maxLength;
            return this;
        }

        /** The allowlist; classes on the gadget deny-list are left out whatever was registered. */
        public TypeAllowlist build() {
            Set<Class<?>> allowed = new LinkedHashSet<>();
            for (Class<?> c : classes) {
                if (!GadgetDenyList.isDenied(c.getName())) {
                    allowed.add(c);
                }
            }
            return new TypeAllowlist(allowed, maxLength);
        }
    }
}
