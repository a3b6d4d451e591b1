package dev.courier.proxy.internal;

import dev.courier.proxy.Invoker;
import dev.courier.proxy.ProxyFactory;

import java.util.Map;

/**
 * Makes proxies with ByteBuddy, named {@value #NAME}; the default factory. Each interface gets one
 * generated class (see {@link ByteBuddyProxyClass}), cached in a {@link ClassValue} so that it lives
 * exactly as long as the interface; each proxy is an instance of it holding its own handler.
 *
 * <p>This class is thread-safe.
 */
public final class ByteBuddyProxyFactory implements ProxyFactory {

    /** The configuration name of this factory. */
    public static final String NAME = "bytebuddy";

    /** Unused while the generated classes leave default methods alone; kept so the handler is complete. */
    private final DefaultMethods defaultMethods = new DefaultMethods();

    private final ClassValue<LazyProxyClass> classes = new ClassValue<>() {
        @Override
        protected LazyProxyClass computeValue(Class<?> iface) {
            return new LazyProxyClass(iface);
        }
    };

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public <T> T createProxy(Class<T> iface, Invoker invoker) {
        Interfaces.checkProxiable(iface, invoker);
        ByteBuddyProxyClass proxyClass = classes.get(iface).get();
        return iface.cast(proxyClass.newInstance(new ProxyHandler(iface, invoker, defaultMethods, Map.of())));
    }

    @Override
    public String toString() {
        return "ByteBuddyProxyFactory";
    }

    /**
     * Generates the proxy class on first use. {@link ClassValue} may compute racing values but publishes
     * only one; generating inside that one (under its lock) makes sure an interface gets a single class.
     */
    private static final class LazyProxyClass {
        private final Class<?> iface;
        private volatile ByteBuddyProxyClass value;

        LazyProxyClass(Class<?> iface) {
            this.iface = iface;
        }

        ByteBuddyProxyClass get() {
            ByteBuddyProxyClass v = value;
            if (v == null) {
                synchronized (this) {
                    v = value;
                    if (v == null) {
                        v = ByteBuddyProxyClass.generate(iface);
                        value = v;
                    }
                }
            }
            return v;
        }
    }
}
