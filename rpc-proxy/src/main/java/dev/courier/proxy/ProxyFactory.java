package dev.courier.proxy;

/**
 * Makes proxies of interfaces. Found with {@link java.util.ServiceLoader}
 * ({@code META-INF/services/dev.courier.proxy.ProxyFactory}) and chosen by {@link #name()} through
 * {@link ProxyFactories}.
 *
 * <p>A proxy passes every abstract method to its {@link Invoker}. It answers {@code toString},
 * {@code equals} (identity) and {@code hashCode} (identity) itself, and runs default interface methods
 * locally (they may call abstract methods, which go to the invoker).
 *
 * <p>Implementations are thread-safe.
 */
public interface ProxyFactory {

    /** The configuration name, such as {@code jdk} or {@code bytebuddy}. */
    String name();

    /**
     * Makes a proxy implementing {@code iface} that calls {@code invoker}.
     *
     * @throws IllegalArgumentException when {@code iface} is not an interface
     */
    <T> T createProxy(Class<T> iface, Invoker invoker);
}
