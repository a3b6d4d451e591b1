package dev.courier.proxy;

import java.lang.reflect.Method;

/**
 * Receives the calls made on a proxy. A proxy hands every abstract interface method to its invoker;
 * {@code Object} methods and default interface methods never reach it.
 *
 * <p>Implementations must be thread-safe: a proxy may be called from any number of threads.
 */
@FunctionalInterface
public interface Invoker {

    /**
     * Performs {@code method} with {@code args}.
     *
     * @param method the interface method called, as declared by the proxied interface
     * @param args the arguments, never {@code null} (an empty array for no arguments)
     * @return the result, which the proxy unboxes or casts to the method's return type; {@code null}
     *         for {@code void} methods
     * @throws Throwable rethrown to the caller as is
     */
    Object invoke(Method method, Object[] args) throws Throwable;
}
