package dev.courier.registry;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One provider of a service: where it listens, its weight, tags and free-form metadata. Immutable and
 * therefore thread-safe; tags and metadata are copied into sorted, unmodifiable collections.
 *
 * <p>Within a service, an instance is identified by its {@linkplain #id() id}, {@code host:port}:
 * registering the same address twice replaces the earlier entry.
 *
 * @param key the service this instance provides
 * @param host host name or IP address consumers connect to
 * @param port TCP port, 1..65535
 * @param weight load-balancing weight, at least 0 (0 = receives no traffic)
 * @param tags routing tags, for example {@code canary}
 * @param metadata free-form key/value pairs
 */
public record ServiceInstance(
        ServiceKey key, String host, int port, int weight, Set<String> tags, Map<String, String> metadata) {

    /** The weight used when none is given. */
    public static final int DEFAULT_WEIGHT = 100;

    public ServiceInstance {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(host, "host");
        if (host.isEmpty() || host.indexOf('/') >= 0) {
            throw new IllegalArgumentException("bad host: " + host);
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (weight < 0) {
            throw new IllegalArgumentException("weight must be >= 0: " + weight);
        }
        tags = tags == null ? Set.of() : java.util.Collections.unmodifiableSortedSet(new TreeSet<>(tags));
        metadata = metadata == null ? Map.of() : java.util.Collections.unmodifiableSortedMap(new TreeMap<>(metadata));
    }

    /** An instance with the default weight and no tags or metadata. */
    public static ServiceInstance of(ServiceKey key, String host, int port) {
        return new ServiceInstance(key, host, port, DEFAULT_WEIGHT, Set.of(), Map.of());
    }

    /** {@code host:port}, unique within the service. */
    public String id() {
        return host + ':' + port;
    }

    /** {@code host:port} as an address to connect to. */
    public String address() {
        return id();
    }

    /** A copy with another weight. */
    public ServiceInstance withWeight(int newWeight) {
        return new ServiceInstance(key, host, port, newWeight, tags, metadata);
    }

    /** A copy with other metadata. */
    public ServiceInstance withMetadata(Map<String, String> newMetadata) {
        return new ServiceInstance(key, host, port, weight, tags, newMetadata);
    }
}
