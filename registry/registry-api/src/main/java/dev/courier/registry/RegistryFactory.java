package dev.courier.registry;

/**
 * Service-provider interface: creates {@link Registry} clients for one URL scheme. Implementations are
 * listed in {@code META-INF/services/dev.courier.registry.RegistryFactory}, must have a public no-arg
 * constructor, and must be thread-safe.
 */
public interface RegistryFactory {

    /** The URL scheme this factory serves, lower case, for example {@code zookeeper}. */
    String scheme();

    /** Connects a new client; the caller owns and must close it. */
    Registry create(RegistryUrl url);
}
