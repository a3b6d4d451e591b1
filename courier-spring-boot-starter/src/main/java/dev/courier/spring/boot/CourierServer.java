package dev.courier.spring.boot;

import dev.courier.registry.Registry;
import dev.courier.rpc.Authenticator;
import dev.courier.rpc.Courier;
import dev.courier.rpc.CourierConfigurationException;
import dev.courier.rpc.RpcServer;
import dev.courier.rpc.RpcService;
import dev.courier.rpc.TlsOptions;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.context.ApplicationContext;
import org.springframework.context.SmartLifecycle;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The provider side in a Spring context: once every singleton exists, exports the beans whose class
 * carries {@code @RpcService} on one {@link RpcServer}, which listens and registers them. On shutdown
 * it runs first among the lifecycle beans: it deregisters the services, waits for the calls in flight
 * (up to {@code courier.server.drain-timeout}) and closes, before the context destroys the beans those
 * calls use. Without {@code @RpcService} beans it starts nothing.
 */
public final class CourierServer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(CourierServer.class);

    private final ApplicationContext context;
    private final Registry registry;
    private final CourierProperties properties;
    private final MeterRegistry meters;
    private volatile RpcServer server;
    private volatile boolean running;
    /** Counted down by {@link #stop}: releases the keep-alive thread. */
    private java.util.concurrent.CountDownLatch stopped;

    CourierServer(ApplicationContext context, Registry registry, CourierProperties properties, MeterRegistry meters) {
        this.context = context;
        this.registry = registry;
        this.properties = properties;
        this.meters = meters;
    }

    /** courier.server.tls.* and courier.server.auth-tokens onto {@code b}. */
    private static void security(RpcServer.Builder b, CourierProperties.Server s) {
        CourierProperties.ServerTls tls = s.getTls();
        List<String> problems = new ArrayList<>();
        if ((tls.getCert() == null) != (tls.getKey() == null)) {
            problems.add("courier.server.tls.cert and courier.server.tls.key go together");
        }
        boolean clientCertificates = tls.getClientAuth() != TlsOptions.ClientAuth.NONE;
        if (clientCertificates && (tls.getCert() == null || tls.getCa() == null)) {
            problems.add("courier.server.tls.client-auth="
                    + tls.getClientAuth().name().toLowerCase(java.util.Locale.ROOT)
                    + " needs courier.server.tls.cert, key and ca (the CA of the clients' certificates)");
        }
        Authenticator tokens = null;
        if (s.getAuthTokens() != null) {
            try {
                tokens = Authenticator.tokensFile(Path.of(s.getAuthTokens()));
            } catch (IOException e) {
                problems.add("courier.server.auth-tokens: cannot read " + s.getAuthTokens() + ": " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new CourierConfigurationException(problems);
        }
        if (tls.getCert() != null) {
            TlsOptions.Builder t = TlsOptions.builder()
                    .keyCertChain(Path.of(tls.getCert()), Path.of(tls.getKey()))
                    .clientAuth(tls.getClientAuth());
            if (tls.getCa() != null) {
                t.trust(Path.of(tls.getCa()));
            }
            b.tls(t.build());
        }
        if (clientCertificates && tokens != null) {
            b.authenticator(Authenticator.mutualTls().or(tokens));
        } else if (clientCertificates) {
            b.authenticator(Authenticator.mutualTls());
        } else if (tokens != null) {
            b.authenticator(tokens);
        }
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        Map<String, Object> beans = context.getBeansWithAnnotation(RpcService.class);
        if (beans.isEmpty() || !properties.getServer().isEnabled()) {
            return;
        }
        CourierProperties.Server s = properties.getServer();
        RpcServer.Builder b = RpcServer.builder()
                .host(s.getHost())
                .port(s.getPort())
                .registry(registry)
                .drainTimeout(s.getDrainTimeout())
                .serializer(properties.getSerializer());
        if (meters != null) {
            b.meterRegistry(meters);
        }
        if (properties.getAdmin().getPort() >= 0) {
            b.adminPort(properties.getAdmin().getPort())
                    .adminToken(properties.getAdmin().getToken());
        }
        try {
            security(b, s);
        } catch (CourierConfigurationException ex) {
            running = false;
            throw ex;
        }
        Map<String, String> keys = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Object> e : beans.entrySet()) {
            Class<?> type = AopUtils.getTargetClass(e.getValue());
            try {
                String key = Courier.exportService(b, type, e.getValue());
                String previous = keys.putIfAbsent(key, e.getKey());
                if (previous != null) {
                    problems.add("Beans '" + previous + "' and '" + e.getKey() + "' both provide " + key
                            + "; give them different version or group attributes");
                }
            } catch (CourierConfigurationException ex) {
                ex.problems().forEach(p -> problems.add("Bean '" + e.getKey() + "': " + p));
            }
        }
        if (!problems.isEmpty()) {
            running = false;
            throw new CourierConfigurationException(problems);
        }
        try {
            server = b.start();
        } catch (RuntimeException ex) { // the port is taken, say: the context's start fails with it
            running = false;
            throw ex;
        }
        if (s.isKeepAlive()) {
            keepAlive();
        }
        log.info("Courier exports {} from {} beans on port {}", keys.keySet(), keys.size(), server.port());
    }

    /**
     * Courier's threads are daemons, so an application without a web server would exit as soon as its
     * main method returns: one non-daemon thread (as Spring Boot's embedded web servers keep) holds the
     * JVM up until the context stops.
     */
    private void keepAlive() {
        java.util.concurrent.CountDownLatch latch = new java.util.concurrent.CountDownLatch(1);
        stopped = latch;
        Thread t = new Thread(
                () -> {
                    try {
                        latch.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                KEEP_ALIVE_THREAD);
        t.setDaemon(false);
        t.start();
    }

    /** The name of the non-daemon thread that keeps a provider's JVM up while it serves. */
    static final String KEEP_ALIVE_THREAD = "courier-server-keepalive";

    @Override
    public void stop() {
        RpcServer s;
        java.util.concurrent.CountDownLatch latch;
        synchronized (this) {
            s = server;
            server = null;
            running = false;
            latch = stopped;
            stopped = null;
        }
        if (s != null) {
            s.close(); // deregisters, then drains the calls in flight, then closes
        }
        if (latch != null) { // only once drained: nothing keeps the JVM up before the calls in flight end
            latch.countDown();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** The server, or {@code null} when the context has no {@code @RpcService} bean or is not started. */
    public RpcServer server() {
        return server;
    }
}
