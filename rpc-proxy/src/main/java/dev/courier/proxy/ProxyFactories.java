package dev.courier.proxy;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * The proxy factories installed on the classpath, found with {@link ServiceLoader}
 * ({@code META-INF/services/dev.courier.proxy.ProxyFactory}) and looked up by {@link ProxyFactory#name()}.
 * A client holds one instance and picks the configured factory from it.
 *
 * <pre>{@code
 * ProxyFactory factory = ProxyFactories.load().byName("jdk");
 * }</pre>
 *
 * <p>This class is immutable and thread-safe.
 */
public final class ProxyFactories {

    /** The factory used when none is configured. */
    public static final String DEFAULT_NAME = "bytebuddy";

    private final Map<String, ProxyFactory> byName;

    private ProxyFactories(Map<String, ProxyFactory> byName) {
        this.byName = Collections.unmodifiableMap(byName);
    }

    /** Loads every factory installed in the class loader of this class. */
    public static ProxyFactories load() {
        return load(ProxyFactories.class.getClassLoader());
    }

    /**
     * Loads every factory installed in {@code loader}.
     *
     * @throws IllegalStateException when two factories claim one name
     */
    public static ProxyFactories load(ClassLoader loader) {
        Map<String, ProxyFactory> byName = new LinkedHashMap<>();
        for (ProxyFactory factory : ServiceLoader.load(ProxyFactory.class, loader)) {
            ProxyFactory clash = byName.putIfAbsent(factory.name(), factory);
            if (clash != null) {
                throw new IllegalStateException(
                        "Proxy factories " + clash.getClass().getName() + " and "
                                + factory.getClass().getName() + " both claim the name '" + factory.name() + "'");
            }
        }
        return new ProxyFactories(byName);
    }

    /**
     * The factory called {@code name}.
     *
     * @throws IllegalArgumentException when no installed factory has that name
     */
    public ProxyFactory byName(String name) {
        ProxyFactory factory = byName.get(name);
        if (factory == null) {
            throw new IllegalArgumentException("Unknown proxy factory '" + name + "'; installed: " + byName.keySet());
        }
        return factory;
    }

    /**
     * The {@value #DEFAULT_NAME} factory.
     *
     * @throws IllegalArgumentException when it is not installed
     */
    public ProxyFactory defaultFactory() {
        return byName(DEFAULT_NAME);
    }

    /** The names of the installed factories, in discovery order. */
    public Set<String> names() {
        return byName.keySet();
    }

    /** Every installed factory, in discovery order. */
    public Collection<ProxyFactory> all() {
        return byName.values();
    }
}
