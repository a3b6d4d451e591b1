package dev.courier.registry.raft;

import dev.courier.registry.Registry;
import dev.courier.registry.RegistryFactory;
import dev.courier.registry.RegistryUrl;
import dev.courier.registry.internal.LeasedRegistry;

/**
 * {@code raft://h1:p1,h2:p2,h3:p3} (the addresses of {@code --peers}), with
 * {@code ?tls.ca=F&tls.cert=F&tls.key=F} for mutual TLS ({@link RaftTls}) and {@code token=T} to
 * authenticate as the principal the members map {@code T} to ({@link RegistryAccess}). Stateless and
 * thread-safe.
 */
public final class RaftRegistryFactory implements RegistryFactory {

    @Override
    public String scheme() {
        return "raft";
    }

    @Override
    public Registry create(RegistryUrl url) {
        if (url.addresses().isEmpty()) {
            throw new IllegalArgumentException("raft:// needs the members' host:port list");
        }
        RaftLeaseBackend backend = new RaftLeaseBackend(
                RaftPeers.ofAddresses(url.addresses()), RaftTls.fromUrl(url), url.parameter("token", null));
        return new LeasedRegistry(backend, backend::close);
    }
}
