package dev.courier.spring.boot;

import dev.courier.registry.Registry;
import dev.courier.rpc.RpcServer;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/**
 * Health {@code courier}: UP while the registry answers and, on a provider, the server is live with
 * every service registered and not draining; DOWN otherwise (OUT_OF_SERVICE while taken offline by an
 * operator). Details: the services, the port, connections and calls in flight.
 */
public final class CourierHealthIndicator implements HealthIndicator {

    private final CourierServer server;
    private final Registry registry;

    CourierHealthIndicator(CourierServer server, Registry registry) {
        this.server = server;
        this.registry = registry;
    }

    @Override
    public Health health() {
        Health.Builder health;
        try {
            int services = registry.services().size();
            health = Health.up().withDetail("registryServices", services);
        } catch (RuntimeException e) {
            return Health.down(e).withDetail("registry", "unreachable").build();
        }
        RpcServer s = server.server();
        if (s == null) {
            return health.withDetail("server", "none (no @RpcService bean)").build();
        }
        health.withDetail("port", s.port())
                .withDetail("services", s.serviceKeys())
                .withDetail("connections", s.connectionCount())
                .withDetail("inFlightCalls", s.inFlightCalls());
        if (!s.live()) {
            return health.down().withDetail("server", "stopped").build();
        }
        if (!s.registered()) {
            return health.outOfService()
                    .withDetail("server", "not registered (offline or draining)")
                    .build();
        }
        return health.withDetail("server", "serving").build();
    }
}
