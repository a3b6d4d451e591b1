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
     * <p>The interface may be package-private or come from any class loader. The proxies a factory makes for
     * one interface share one class.
     *
     * @throws IllegalArgumentException when {@code iface} is not an interface, or is a sealed or hidden one
     * @throws NullPointerException when {@code iface} or {@code invoker} is null
     */
    <T> T createProxy(Class<T> iface, Invoker invoker);
}
