package dev.courier.proxy.internal;

import java.lang.reflect.Method;

/**
 * Checks an invoker's result against the method's return type before the proxy casts or unboxes it, so
 * that a wrong result fails with a message naming the method instead of a bare cast or unboxing error.
 */
final class ReturnValues {

    private ReturnValues() {}

    /**
     * Returns {@code result} when it fits {@code method}'s return type ({@code null} for {@code void}).
     *
     * @throws NullPointerException when {@code result} is null and the return type is primitive
     * @throws ClassCastException when {@code result} is not an instance of the (boxed) return type
     */
    static Object check(Method method, Object result) {
        Class<?> type = method.getReturnType();
        if (type == void.class) {
            return null;
        }
        if (result == null) {
            if (type.isPrimitive()) {
                throw new NullPointerException(
                        "Invoker returned null for " + method + ", whose return type " + type + " cannot be null");
            }
            return null;
        }
        if (!box(type).isInstance(result)) {
            throw new ClassCastException("Invoker returned a "
                    + result.getClass().getName() + " for " + method + ", which returns " + type.getName());
        }
        return result;
    }

    private static Class<?> box(Class<?> type) {
        if (!type.isPrimitive()) {
            return type;
        }
        if (type == int.class) {
            return Integer.class;
        }
        if (type == long.class) {
            return Long.class;
        }
        if (type == boolean.class) {
            return Boolean.class;
        }
        if (type == double.class) {
            return Double.class;
        }
        if (type == float.class) {
            return Float.class;
        }
        if (type == short.class) {
            return Short.class;
        }
        if (type == byte.class) {
            return Byte.class;
        }
        return Character.class;
    }
}
