package dev.courier.proxy.internal;

import dev.courier.proxy.Invoker;

import java.util.Objects;

/** Checks the arguments of {@link dev.courier.proxy.ProxyFactory#createProxy}, alike for every factory. */
final class Interfaces {

    private Interfaces() {}

    static void checkProxiable(Class<?> iface, Invoker invoker) {
        Objects.requireNonNull(iface, "iface");
        Objects.requireNonNull(invoker, "invoker");
        if (!iface.isInterface()) {
            throw new IllegalArgumentException(
                    iface.getName() + " is not an interface; only interfaces can be proxied");
        }
        if (iface.isSealed()) {
            throw new IllegalArgumentException(iface.getName() + " is sealed; a proxy cannot implement it");
        }
        if (iface.isHidden()) {
            throw new IllegalArgumentException(iface.getName() + " is a hidden interface; a proxy cannot name it");
        }
    }
}
