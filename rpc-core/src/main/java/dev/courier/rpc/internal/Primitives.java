package dev.courier.rpc.internal;

import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Small helpers about boxing and completion wrappers. */
public final class Primitives {

    private static final Map<Class<?>, Class<?>> WRAPPERS = Map.of(
            boolean.class,
            Boolean.class,
            byte.class,
            Byte.class,
            char.class,
            Character.class,
            short.class,
            Short.class,
            int.class,
            Integer.class,
            long.class,
            Long.class,
            float.class,
            Float.class,
            double.class,
            Double.class,
            void.class,
            Void.class);

    private Primitives() {}

    /** The box of a primitive type; any other type as is. */
    public static Class<?> wrap(Class<?> type) {
        return type.isPrimitive() ? WRAPPERS.get(type) : type;
    }

    /** The value a method of return type {@code type} returns by default: 0, false, or null. */
    public static Object defaultValue(Class<?> type) {
        if (!type.isPrimitive() || type == void.class) {
            return null;
        }
        if (type == boolean.class) {
            return false;
        }
        if (type == char.class) {
            return '\0';
        }
        return java.lang.reflect.Array.get(java.lang.reflect.Array.newInstance(type, 1), 0);
    }

    /** The cause inside {@link CompletionException} / {@link ExecutionException} wrappers. */
    public static Throwable unwrapCompletion(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
