package dev.courier.proxy.internal;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.Map;

/**
 * The one {@link Method} object an invoker sees for each method of an interface.
 *
 * <p>When an interface narrows an inherited generic method ({@code User get(String)} over
 * {@code T get(String)}), javac adds a bridge, and a JDK proxy overrides both the method and its bridge,
 * each with its own (equal) {@code Method} object. Mapping every call's method to the instance from
 * {@link Class#getMethods()} keeps the promise that an invoker receives the same instance on every call.
 * Interfaces without bridges need no mapping and get an empty map.
 */
final class CanonicalMethods {

    private CanonicalMethods() {}

    /** The canonical instances of {@code iface}'s methods, or an empty map when calls need no mapping. */
    static Map<Method, Method> of(Class<?> iface) {
        Method[] methods = iface.getMethods();
        boolean hasBridges = false;
        for (Method m : methods) {
            hasBridges |= m.isBridge();
        }
        if (!hasBridges) {
            return Map.of();
        }
        Map<Method, Method> canonical = new HashMap<>();
        for (Method m : methods) {
            if (!m.isBridge() && !Modifier.isStatic(m.getModifiers())) {
                canonical.putIfAbsent(m, m);
            }
        }
        return Map.copyOf(canonical);
    }

    /** {@code method}'s canonical instance in {@code canonical}, or {@code method} itself. */
    static Method canonical(Map<Method, Method> canonical, Method method) {
        return canonical.isEmpty() ? method : canonical.getOrDefault(method, method);
    }
}
