package dev.courier.serialization.internal;

import dev.courier.serialization.SerializationException;

/** Turns codec failures into {@link SerializationException}s that keep their cause. Stateless. */
public final class Failures {

    private Failures() {}

    /**
     * Wraps {@code failure}. When a {@link SerializationException} (such as a refused class) is somewhere in
     * its cause chain, the result carries that exception's message and class name.
     */
    public static SerializationException wrap(String action, Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SerializationException s) {
                return t == failure ? s : new SerializationException(s.getMessage(), s.className(), failure);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        if (failure instanceof OutOfMemoryError) {
            return new SerializationException(
                    "Corrupt input: a length asks for more memory than the heap has", failure);
        }
        return new SerializationException("Cannot " + action + ": " + failure, failure);
    }

    /** Checks that {@code value} (possibly {@code null}) is a {@code type}, boxing primitive types. */
    public static <T> T cast(Object value, Class<T> type) {
        if (value == null) {
            if (type.isPrimitive()) {
                throw new SerializationException("Decoded null where a " + type.getName() + " is required");
            }
            return null;
        }
        Class<?> boxed = type.isPrimitive() ? box(type) : type;
        if (!boxed.isInstance(value)) {
            throw new SerializationException(
                    "Decoded a " + value.getClass().getName() + " where a " + type.getName() + " is required",
                    value.getClass().getName(),
                    null);
        }
        @SuppressWarnings("unchecked")
        T t = (T) value;
        return t;
    }

    private static Class<?> box(Class<?> primitive) {
        return java.lang.invoke.MethodType.methodType(primitive).wrap().returnType();
    }
}
