package dev.courier.registry;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Finds a {@link RegistryFactory} by URL scheme with {@link ServiceLoader}. Stateless and thread-safe. */
public final class Registries {

    private Registries() {}

    /** Connects to the registry at {@code url}, for example {@code embedded://}, {@code zookeeper://127.0.0.1:2181}. */
    public static Registry connect(String url) {
        return connect(url, Registries.class.getClassLoader());
    }

    /** As {@link #connect(String)}, loading factories from {@code loader}. */
    public static Registry connect(String url, ClassLoader loader) {
        RegistryUrl parsed = RegistryUrl.parse(url);
        RegistryFactory factory = factories(loader).get(parsed.scheme());
        if (factory == null) {
            throw new IllegalArgumentException("no registry for scheme '" + parsed.scheme() + "' (known: "
                    + factories(loader).keySet() + "); is its module on the class path?");
        }
        return factory.create(parsed);
    }

    /** Every factory on the class path of {@code loader}, by scheme. */
    public static Map<String, RegistryFactory> factories(ClassLoader loader) {
        Map<String, RegistryFactory> byScheme = new TreeMap<>();
        for (RegistryFactory f : ServiceLoader.load(RegistryFactory.class, loader)) {
            byScheme.putIfAbsent(f.scheme(), f);
        }
        return byScheme;
    }
}
