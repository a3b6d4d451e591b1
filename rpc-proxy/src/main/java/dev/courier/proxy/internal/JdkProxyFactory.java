package dev.courier.proxy.internal;

import dev.courier.proxy.Invoker;
import dev.courier.proxy.ProxyFactory;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;

/**
 * Makes proxies with {@link Proxy java.lang.reflect.Proxy}, named {@value #NAME}. The JDK generates and
 * caches the proxy class per class loader and interface; its methods call the shared {@link ProxyHandler}.
 * Unlike ByteBuddy proxies, JDK proxies route default methods to the handler, which runs them through
 * {@link DefaultMethods}.
 *
 * <p>This class is thread-safe.
 */
public final class JdkProxyFactory implements ProxyFactory {

    /** The configuration name of this factory. */
    public static final String NAME = "jdk";

    private final DefaultMethods defaultMethods = new DefaultMethods();
    private final ClassValue<Map<Method, Method>> canonicalMethods = new ClassValue<>() {
        @Override
        protected Map<Method, Method> computeValue(Class<?> iface) {
            return CanonicalMethods.of(iface);
        }
    };

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public <T> T createProxy(Class<T> iface, Invoker invoker) {
        Interfaces.checkProxiable(iface, invoker);
        Object proxy = Proxy.newProxyInstance(
                iface.getClassLoader(),
                new Class<?>[] {iface},
                new ProxyHandler(iface, invoker, defaultMethods, canonicalMethods.get(iface)));
        return iface.cast(proxy);
    }

    @Override
    public String toString() {
        return "JdkProxyFactory";
    }
}
