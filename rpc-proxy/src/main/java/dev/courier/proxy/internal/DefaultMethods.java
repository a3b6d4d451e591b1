package dev.courier.proxy.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs default interface methods for proxies whose class routes them to the handler (JDK proxies; the
 * ByteBuddy class leaves them to the JVM). The method runs on the proxy, so its calls to abstract methods go
 * back through the proxy to the invoker.
 *
 * <p>{@link InvocationHandler#invokeDefault} refuses interfaces this package cannot access (package-private
 * ones), so a default method is called through a special method handle found with
 * {@link MethodHandles#privateLookupIn} on its interface, made once and cached; {@code invokeDefault} is
 * the fallback for interfaces whose package is not open to this module.
 *
 * <p>This class is thread-safe.
 */
final class DefaultMethods {

    private static final MethodType SPREAD = MethodType.methodType(Object.class, Object.class, Object[].class);

    /** How to run one default method on a proxy. */
    @FunctionalInterface
    private interface Call {
        Object run(Object proxy, Object[] args) throws Throwable;
    }

    private final ClassValue<Map<Method, Call>> calls = new ClassValue<>() {
        @Override
        protected Map<Method, Call> computeValue(Class<?> declaringInterface) {
            return new ConcurrentHashMap<>();
        }
    };

    /** Runs default {@code method} on {@code proxy}. */
    Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        return calls.get(method.getDeclaringClass())
                .computeIfAbsent(method, DefaultMethods::callFor)
                .run(proxy, args);
    }

    private static Call callFor(Method method) {
        Class<?> declaring = method.getDeclaringClass();
        MethodHandles.Lookup lookup;
        try {
            lookup = MethodHandles.privateLookupIn(declaring, MethodHandles.lookup());
        } catch (IllegalAccessException notOpen) {
            return (proxy, args) -> InvocationHandler.invokeDefault(proxy, method, args);
        }
        try {
            MethodHandle handle = lookup.unreflectSpecial(method, declaring)
                    .asSpreader(Object[].class, method.getParameterCount())
                    .asType(SPREAD);
            return (proxy, args) -> (Object) handle.invokeExact(proxy, args);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("Cannot call default method " + method, e);
        }
    }
}
