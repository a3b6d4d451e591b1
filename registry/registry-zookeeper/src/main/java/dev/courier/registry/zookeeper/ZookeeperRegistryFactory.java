package dev.courier.registry.zookeeper;

import dev.courier.registry.Registry;
import dev.courier.registry.RegistryFactory;
import dev.courier.registry.RegistryUrl;

import java.time.Duration;

/**
 * {@code zookeeper://h1:p1,h2:p2?root=/courier&sessionTimeoutMs=10000&connectionTimeoutMs=5000}, with
 * {@code &digest=user:password} for ZooKeeper digest authentication and node ACLs, and
 * {@code &tls.keystore=F&tls.ca=F} for client TLS (F: PEM files; the key store holds key and certificate).
 * Stateless and thread-safe.
 */
public final class ZookeeperRegistryFactory implements RegistryFactory {

    @Override
    public String scheme() {
        return "zookeeper";
    }

    @Override
    public Registry create(RegistryUrl url) {
        if (url.addresses().isEmpty()) {
            throw new IllegalArgumentException("zookeeper:// needs at least one host:port");
        }
        return ZookeeperRegistry.connect(
                url.joinedAddresses(),
                url.parameter("root", ZookeeperRegistry.DEFAULT_ROOT),
                Duration.ofMillis(Long.parseLong(url.parameter("sessionTimeoutMs", "10000"))),
                Duration.ofMillis(Long.parseLong(url.parameter("connectionTimeoutMs", "5000"))),
                url.parameter("digest", null),
                url.parameter("tls.keystore", null),
                url.parameter("tls.ca", null));
    }
}
