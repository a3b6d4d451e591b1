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
     * @param method the interface method called, as declared by the proxied interface; the same instance on
     *        every call of that method through proxies of one factory, so it can key a cache
     * @param args the arguments, never {@code null} (an empty array for no arguments)
     * @return the result, which the proxy unboxes or casts to the method's return type (ignored for
     *         {@code void} methods); {@code null} for a primitive return type fails the call with a
     *         {@link NullPointerException}, and a result of the wrong type with a {@link ClassCastException},
     *         each naming the method
     * @throws Throwable unchecked exceptions, and checked exceptions {@code method} declares, reach the caller
     *         as is; any other checked exception reaches it wrapped in a
     *         {@link java.lang.reflect.UndeclaredThrowableException}, as with JDK proxies
     */
    Object invoke(Method method, Object[] args) throws Throwable;
}
