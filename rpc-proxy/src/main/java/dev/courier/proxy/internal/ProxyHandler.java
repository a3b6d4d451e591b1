package dev.courier.proxy.internal;

import dev.courier.proxy.Invoker;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.Map;

/**
 * What a proxy does with a call, shared by both factories so that they behave alike: {@code Object}
 * methods are answered locally, default methods run locally, everything else goes to the {@link Invoker}
 * with a non-null argument array; its result is checked against the method's return type and an
 * undeclared checked exception it throws is wrapped in {@link UndeclaredThrowableException}.
 *
 * <p>One handler serves one proxy. It is thread-safe when its invoker is.
 */
final class ProxyHandler implements InvocationHandler {

    private static final Object[] NO_ARGS = {};

    private final Class<?> iface;
    private final Invoker invoker;
    private final DefaultMethods defaultMethods;
    private final Map<Method, Method> canonicalMethods;

    /**
     * @param defaultMethods runs default methods that reach this handler
     * @param canonicalMethods from {@link CanonicalMethods#of}, or empty when the proxy class passes one
     *        {@code Method} instance per method already
     */
    ProxyHandler(Class<?> iface, Invoker invoker, DefaultMethods defaultMethods, Map<Method, Method> canonicalMethods) {
        this.iface = iface;
        this.invoker = invoker;
        this.defaultMethods = defaultMethods;
        this.canonicalMethods = canonicalMethods;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        Object[] actual = args == null ? NO_ARGS : args;
        if (ObjectMethods.isObjectMethod(method)) {
            return ObjectMethods.answer(proxy, method, actual, iface, invoker);
        }
        if (method.isDefault()) {
            return defaultMethods.invoke(proxy, method, actual);
        }
        return ReturnValues.check(method, call(CanonicalMethods.canonical(canonicalMethods, method), actual));
    }

    private Object call(Method method, Object[] args) throws Throwable {
        try {
            return invoker.invoke(method, args);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            if (isDeclared(method, t)) {
                throw t;
            }
            throw new UndeclaredThrowableException(
                    t, "Invoker threw " + t.getClass().getName() + ", which " + method + " does not declare");
        }
    }

    private static boolean isDeclared(Method method, Throwable t) {
        for (Class<?> declared : method.getExceptionTypes()) {
            if (declared.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
