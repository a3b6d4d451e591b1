package dev.courier.rpc.internal.server;

import dev.courier.admin.AdminException;
import dev.courier.admin.AdminResponse;
import dev.courier.admin.AdminServer;
import dev.courier.registry.ServiceInstance;
import dev.courier.rpc.RpcServer;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.function.Supplier;

/**
 * The admin port of a provider, what Dubbo's QoS port does: metrics, health, {@code offline} and
 * {@code online}, and {@code ls}. See {@code RpcServer.Builder#adminPort}.
 *
 * <p>Owned by its server: created before the server binds (so that its meters are the server's), started
 * once the server listens, closed with it. Thread-safe.
 */
public final class ProviderAdmin implements AutoCloseable {

    private final String host;
    private final int port;
    private final String token;
    private final PrometheusMeterRegistry prometheus;
    private final boolean ownsPrometheus;
    private final boolean jvmMeters;
    private final MeterRegistry meters;
    private final Supplier<List<Map<String, Object>>> references;
    private volatile AdminServer server;
    private volatile List<Meter> gauges = List.of();

    /**
     * @param userMeters the server's own registry, or null; when it is (or holds) a Prometheus registry that
     *                   one is scraped, otherwise one is made beside it
     * @param jvmMeters  whether to bind the JVM's meters to a Prometheus registry found in {@code userMeters}
     *                   (always done to one made here)
     */
    public ProviderAdmin(
            String host,
            int port,
            String token,
            MeterRegistry userMeters,
            Supplier<List<Map<String, Object>>> references,
            boolean jvmMeters) {
        this.host = host;
        this.port = port;
        this.token = token;
        this.references = references;
        PrometheusMeterRegistry found = prometheusIn(userMeters);
        this.ownsPrometheus = found == null;
        this.jvmMeters = jvmMeters || ownsPrometheus;
        this.prometheus = found != null ? found : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.meters = userMeters == null || found != null
                ? (userMeters == null ? prometheus : userMeters)
                : new CompositeMeterRegistry(Clock.SYSTEM, List.of(userMeters, prometheus));
    }

    /** The Prometheus registry {@code meters} is or holds, or null. */
    public static PrometheusMeterRegistry prometheusIn(MeterRegistry meters) {
        if (meters instanceof PrometheusMeterRegistry p) {
            return p;
        }
        if (meters instanceof CompositeMeterRegistry c) {
            for (MeterRegistry r : c.getRegistries()) {
                PrometheusMeterRegistry p = prometheusIn(r);
                if (p != null) {
                    return p;
                }
            }
        }
        return null;
    }

    /** Where the server records its meters: what {@code /metrics} shows. */
    public MeterRegistry meters() {
        return meters;
    }

    /** Binds the port and serves {@code rpc}'s admin routes. */
    public void start(RpcServer rpc, InFlight inFlight, ThreadPoolExecutor businessPool) {
        gauges = bindServerGauges(meters, rpc, inFlight, businessPool);
        server = AdminServer.builder()
                .host(host)
                .port(port)
                .meters(prometheus)
                .jvmMeters(jvmMeters)
                .bearerToken(token)
                .live(rpc::live)
                .ready(rpc::ready)
                .post("/offline", r -> rotation(rpc::offline, rpc))
                .post("/online", r -> rotation(rpc::online, rpc))
                .get("/ls", r -> AdminResponse.json(ls(rpc)))
                .start();
    }

    /** Runs {@code offline} or {@code online}; a server without a registry, or closed, answers 409. */
    private static AdminResponse rotation(java.util.function.BooleanSupplier change, RpcServer rpc) {
        boolean changed;
        try {
            changed = change.getAsBoolean();
        } catch (IllegalStateException e) {
            throw new AdminException(409, e.getMessage());
        }
        return AdminResponse.json(Map.of("changed", changed, "ready", rpc.ready(), "registered", rpc.registered()));
    }

    private Map<String, Object> ls(RpcServer rpc) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("address", rpc.address().getAddress().getHostAddress() + ":" + rpc.port());
        out.put("ready", rpc.ready());
        out.put("services", rpc.serviceKeys());
        out.put("registered", rpc.registered());
        List<Map<String, Object>> registrations = new ArrayList<>();
        for (ServiceInstance i : rpc.registeredInstances()) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("service", i.key().toString());
            r.put("instance", i.id());
            r.put("weight", i.weight());
            r.put("tags", i.tags());
            registrations.add(r);
        }
        out.put("registrations", registrations);
        out.put("references", references == null ? List.of() : references.get());
        return out;
    }

    /** The admin port, or -1 before {@link #start}. */
    public int port() {
        AdminServer s = server;
        return s == null ? -1 : s.port();
    }

    @Override
    public void close() {
        AdminServer s = server;
        if (s != null) {
            s.close();
        }
        unbind(meters, gauges);
        if (ownsPrometheus) {
            prometheus.close();
        }
    }

    /**
     * Gauges of one server, tagged with its port: {@code courier.server.inflight} (calls accepted and not
     * answered), {@code courier.server.connections}, and the business pool's {@code active} threads,
     * {@code queued} calls and {@code max} threads ({@code courier.server.pool.*}).
     */
    public static List<Meter> bindServerGauges(
            MeterRegistry meters, RpcServer rpc, InFlight inFlight, ThreadPoolExecutor pool) {
        String port = String.valueOf(rpc.port());
        return List.of(
                Gauge.builder("courier.server.inflight", inFlight, InFlight::running)
                        .description("Calls accepted and not yet answered")
                        .tag("port", port)
                        .register(meters),
                Gauge.builder("courier.server.connections", rpc, RpcServer::connectionCount)
                        .description("Client connections open")
                        .tag("port", port)
                        .register(meters),
                Gauge.builder("courier.server.pool.active", pool, ThreadPoolExecutor::getActiveCount)
                        .description("Business-pool threads running a call")
                        .tag("port", port)
                        .register(meters),
                Gauge.builder(
                                "courier.server.pool.queued",
                                pool,
                                p -> p.getQueue().size())
                        .description("Calls waiting for a business-pool thread")
                        .tag("port", port)
                        .register(meters),
                Gauge.builder("courier.server.pool.max", pool, ThreadPoolExecutor::getMaximumPoolSize)
                        .description("Business-pool threads at most")
                        .tag("port", port)
                        .register(meters));
    }

    public static void unbind(MeterRegistry meters, List<Meter> gauges) {
        for (Meter m : gauges) {
            meters.remove(m);
        }
    }
}
