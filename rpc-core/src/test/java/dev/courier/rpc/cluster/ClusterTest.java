package dev.courier.rpc.cluster;

import dev.courier.registry.Registration;
import dev.courier.registry.Registries;
import dev.courier.registry.Registry;
import dev.courier.registry.ServiceInstance;
import dev.courier.registry.ServiceKey;
import dev.courier.rpc.ExportOptions;
import dev.courier.rpc.FaultTolerance;
import dev.courier.rpc.LoadBalance;
import dev.courier.rpc.NoProviderException;
import dev.courier.rpc.RateLimitedException;
import dev.courier.rpc.RemoteException;
import dev.courier.rpc.RpcClient;
import dev.courier.rpc.RpcServer;
import dev.courier.rpc.ServerBusyException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

class ClusterTest {

    private static final ServiceKey KEY = ServiceKey.of(ClusterService.class);

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final String storeUrl = "embedded://cluster-" + UUID.randomUUID();
    private final Registry registry = owned(Registries.connect(storeUrl));

    @AfterEach
    void closeAll() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private <T extends AutoCloseable> T owned(T resource) {
        resources.add(resource);
        return resource;
    }

    private RpcServer provider(NamedProvider impl, ExportOptions options) {
        return owned(RpcServer.builder()
                .host("127.0.0.1")
                .registry(registry)
                .export(ClusterService.class, impl, options)
                .start());
    }

    private RpcServer provider(NamedProvider impl) {
        return provider(impl, ExportOptions.create());
    }

    private RpcClient client(RpcClient.Builder builder) {
        return owned(builder.registry(registry).build());
    }

    @Test
    void discoversProvidersAndBalancesByWeight() {
        NamedProvider a = new NamedProvider("a");
        NamedProvider b = new NamedProvider("b");
        provider(a, ExportOptions.create().weight(300));
        provider(b, ExportOptions.create().weight(100));
        ClusterService service = client(RpcClient.builder())
                .reference(ClusterService.class)
                .loadBalance(LoadBalance.RANDOM)
                .build();

        int n = 2_000;
        Map<String, Integer> counts = new ConcurrentHashMap<>();
        for (int i = 0; i < n; i++) {
            counts.merge(service.name(), 1, Integer::sum);
        }
        // p = 0.75 over 2,000 calls: standard deviation ~0.01, so +-0.05 is 5 sigma
        assertThat(counts.get("a") / (double) n).isCloseTo(0.75, within(0.05));
    }

    /** A provider whose server is up and registered by hand, so that its entry can leave while it serves on. */
    private RpcServer unregisteredProvider(NamedProvider impl) {
        return owned(RpcServer.builder()
                .host("127.0.0.1")
                .export(ClusterService.class, impl)
                .start());
    }

    /** Round-robin over two providers alternates, so 20 answers in a row from one mean the other left. */
    private static boolean nextCallsAllGoTo(ClusterService service, String name) {
        for (int i = 0; i < 20; i++) {
            if (!service.record("x").equals(name)) {
                return false;
            }
        }
        return true;
    }

    @Test
    void followsProvidersComingAndLeavingThroughTheRegistry() {
        NamedProvider a = new NamedProvider("a");
        RpcServer serverA = unregisteredProvider(a);
        Registration registrationA = registry.register(ServiceInstance.of(KEY, "127.0.0.1", serverA.port()));
        ClusterService service = client(RpcClient.builder())
                .reference(ClusterService.class)
                .loadBalance(LoadBalance.ROUND_ROBIN)
                .build();
        assertThat(service.name()).isEqualTo("a");

        NamedProvider b = new NamedProvider("b");
        provider(b);
        await().atMost(Duration.ofSeconds(10)).until(() -> service.name().equals("b"));

        // a's entry leaves the registry while its server stays up and would answer: only the watch can
        // stop the routing there (no go-away frame, no connection error)
        registrationA.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> nextCallsAllGoTo(service, "b"));
        int callsOfA = a.calls.get();
        for (int i = 0; i < 50; i++) {
            assertThat(service.record("x")).isEqualTo("b");
        }
        assertThat(a.calls).hasValue(callsOfA);
    }

    @Test
    void aCrashedProviderLeavesOnceItsLeaseExpiresWhileItsServerStaysUp() {
        NamedProvider a = new NamedProvider("a");
        RpcServer serverA = unregisteredProvider(a);
        // a's own registry client (same store) whose lease heartbeats stop as if its process had crashed
        Registry registryOfA = owned(Registries.connect(storeUrl));
        registryOfA.register(ServiceInstance.of(KEY, "127.0.0.1", serverA.port()), Duration.ofSeconds(1));
        NamedProvider b = new NamedProvider("b");
        provider(b);
        ClusterService service = client(RpcClient.builder())
                .reference(ClusterService.class)
                .loadBalance(LoadBalance.ROUND_ROBIN)
                .build();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            service.name();
            return a.calls.get() > 0 && b.calls.get() > 0;
        });

        ((dev.courier.registry.internal.LeasedRegistry) registryOfA).simulateCrash();
        long crashedAt = System.nanoTime();
        await().atMost(Duration.ofSeconds(15)).until(() -> nextCallsAllGoTo(service, "b"));
        // the lease, nothing else, took it out: not before the 1 s TTL counted from the last renewal
        // (renewals go every third of the TTL, so at most 333 ms before the crash)
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - crashedAt)).isGreaterThanOrEqualTo(600L);
        int callsOfA = a.calls.get();
        for (int i = 0; i < 50; i++) {
            assertThat(service.record("x")).isEqualTo("b");
        }
        assertThat(a.calls).hasValue(callsOfA);
    }

    @Test
    void noProviderIsATypedError() {
        ClusterService service =
                client(RpcClient.builder()).reference(ClusterService.class).build();
        assertThatThrownBy(service::name)
                .isInstanceOf(NoProviderException.class)
                .hasMessageContaining(ClusterService.class.getName());
    }

    /** Three providers behind proxies registered by hand, so a provider can crash without deregistering. */
    private List<KillableProxy> crashableProviders(List<NamedProvider> impls) throws Exception {
        List<KillableProxy> proxies = new ArrayList<>();
        for (NamedProvider impl : impls) {
            RpcServer server = owned(RpcServer.builder()
                    .host("127.0.0.1")
                    .export(ClusterService.class, impl)
                    .start());
            KillableProxy proxy = owned(new KillableProxy(server.address()));
            Registration r = registry.register(ServiceInstance.of(KEY, "127.0.0.1", proxy.port()));
            owned(r::close);
            proxies.add(proxy);
        }
        return proxies;
    }

    @Test
    void failoverCarriesIdempotentCallsAroundAKilledProvider() throws Exception {
        List<NamedProvider> impls = List.of(new NamedProvider("a"), new NamedProvider("b"), new NamedProvider("c"));
        List<KillableProxy> proxies = crashableProviders(impls);
        RpcClient client = client(RpcClient.builder());
        ClusterService service = client.reference(ClusterService.class)
                .timeout(Duration.ofSeconds(5))
                .build();

        AtomicInteger ok = new AtomicInteger();
        List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            for (int t = 0; t < 4; t++) {
                callers.execute(() -> {
                    while (!stop.get()) {
                        try {
                            service.slowName(2);
                            ok.incrementAndGet();
                        } catch (RuntimeException e) {
                            errors.add(e);
                        }
                    }
                });
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> impls.get(0).calls.get() > 20);
            proxies.get(0).kill();
            int afterKill = ok.get();
            await().atMost(Duration.ofSeconds(20)).until(() -> ok.get() > afterKill + 500);
        } finally {
            stop.set(true);
            callers.shutdown();
            assertThat(callers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(errors).isEmpty();
    }

    @Test
    void aNonIdempotentCallCutByAProviderCrashFailsAndRanExactlyOnce() throws Exception {
        List<NamedProvider> impls = List.of(new NamedProvider("a"), new NamedProvider("b"), new NamedProvider("c"));
        List<KillableProxy> proxies = crashableProviders(impls);
        ClusterService service = client(RpcClient.builder())
                .reference(ClusterService.class)
                .timeout(Duration.ofSeconds(30))
                .build();
        ExecutorService caller = Executors.newSingleThreadExecutor();
        owned(caller::shutdownNow);
        owned(() -> impls.forEach(p -> p.release.countDown()));

        java.util.concurrent.Future<String> call = caller.submit(() -> service.slowRecord(60_000, "once"));
        int running = await().atMost(Duration.ofSeconds(10))
                .until(
                        () -> java.util.stream.IntStream.range(0, 3)
                                .filter(i -> impls.get(i).calls.get() == 1)
                                .findFirst()
                                .orElse(-1),
                        i -> i >= 0);
        proxies.get(running).kill(); // the call is running there: it may have had its effect

        assertThatThrownBy(() -> call.get(20, TimeUnit.SECONDS))
                .isInstanceOf(java.util.concurrent.ExecutionException.class)
                .hasCauseInstanceOf(dev.courier.rpc.ConnectionException.class);
        // the error reached the caller, so no retry is still to come: one execution in all
        assertThat(impls.stream().mapToInt(p -> p.calls.get()).sum()).isEqualTo(1);
    }

    @Test
    void breakerOpensOnAFailingProviderAndClosesAfterRecovery() throws Exception {
        List<NamedProvider> impls = List.of(new NamedProvider("a"), new NamedProvider("b"));
        List<KillableProxy> proxies = crashableProviders(impls);
        RpcClient client = client(RpcClient.builder()
                .circuitBreaker(CircuitBreakerConfig.custom()
                        .slidingWindowSize(4)
                        .minimumNumberOfCalls(4)
                        .failureRateThreshold(50)
                        .waitDurationInOpenState(Duration.ofMillis(300))
                        .permittedNumberOfCallsInHalfOpenState(2)
                        .build()));
        ClusterService service = client.reference(ClusterService.class)
                .loadBalance(LoadBalance.ROUND_ROBIN)
                .build();
        int port = proxies.get(0).port();

        for (int i = 0; i < 10; i++) {
            service.name();
        }
        proxies.get(0).kill();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            assertThat(service.name()).isEqualTo("b");
            return client.breakerState("127.0.0.1", port) == CircuitBreaker.State.OPEN;
        });

        proxies.get(0).start();
        int before = impls.get(0).calls.get();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            service.name();
            return client.breakerState("127.0.0.1", port) == CircuitBreaker.State.CLOSED
                    && impls.get(0).calls.get() > before + 5;
        });
    }

    @Test
    void breakerDefaultsAreTheDocumentedOnes() throws Exception {
        CircuitBreakerConfig defaults = RpcClient.DEFAULT_CIRCUIT_BREAKER;
        assertThat(defaults.getSlidingWindowType()).isEqualTo(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED);
        assertThat(defaults.getSlidingWindowSize()).isEqualTo(20);
        assertThat(defaults.getMinimumNumberOfCalls()).isEqualTo(10);
        assertThat(defaults.getFailureRateThreshold()).isEqualTo(50f);
        assertThat(defaults.getWaitIntervalFunctionInOpenState().apply(1)).isEqualTo(5_000L);
        assertThat(defaults.getPermittedNumberOfCallsInHalfOpenState()).isEqualTo(3);

        // and a client built without a breaker configuration behaves by them
        List<NamedProvider> impls = List.of(new NamedProvider("a"), new NamedProvider("b"));
        List<KillableProxy> proxies = crashableProviders(impls);
        RpcClient client = client(RpcClient.builder());
        ClusterService failfast = client.reference(ClusterService.class)
                .faultTolerance(FaultTolerance.FAILFAST)
                .loadBalance(LoadBalance.ROUND_ROBIN)
                .build();
        int portA = proxies.get(0).port();
        int portB = proxies.get(1).port();
        // service exceptions do not count against a provider
        for (int i = 0; i < 40; i++) {
            assertThatThrownBy(failfast::fail).isInstanceOf(RemoteException.class);
        }
        assertThat(client.breakerState("127.0.0.1", portA)).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(client.breakerState("127.0.0.1", portB)).isEqualTo(CircuitBreaker.State.CLOSED);

        // connection failures do, from the 10th call in the window on: a's window now holds 20 successes
        // (the failing calls above reached the provider), so a's breaker opens once half of 20 calls failed
        proxies.get(0).kill();
        int failures = 0;
        int answeredByA = 0;
        // bounded: round robin sends every other call to a, so 10 failures take about 20 calls
        for (int calls = 0; client.breakerState("127.0.0.1", portA) == CircuitBreaker.State.CLOSED; calls++) {
            assertThat(calls)
                    .as(
                            "calls before a's breaker opened (%d failed, %d answered by a after its kill)",
                            failures, answeredByA)
                    .isLessThan(200);
            try {
                if (failfast.name().equals("a")) {
                    answeredByA++;
                }
            } catch (dev.courier.rpc.ConnectionException e) {
                failures++;
            }
            assertThat(failures)
                    .as("failed calls on a before its breaker opened")
                    .isLessThanOrEqualTo(10);
        }
        assertThat(answeredByA).as("calls a answered after its kill").isZero();
        assertThat(failures).isEqualTo(10);
        assertThat(client.breakerState("127.0.0.1", portA)).isEqualTo(CircuitBreaker.State.OPEN);
        // while open, a is out of balancing: every call goes to b
        int callsOfB = impls.get(1).calls.get();
        for (int i = 0; i < 10; i++) {
            assertThat(failfast.name()).isEqualTo("b");
        }
        assertThat(impls.get(1).calls.get()).isEqualTo(callsOfB + 10);
    }

    @Test
    void retriesAreCountedInTheRetriesMetric() throws Exception {
        List<NamedProvider> impls = List.of(new NamedProvider("a"), new NamedProvider("b"));
        List<KillableProxy> proxies = crashableProviders(impls);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        ClusterService service = client(RpcClient.builder().meterRegistry(meters))
                .reference(ClusterService.class)
                .loadBalance(LoadBalance.ROUND_ROBIN)
                .build();
        for (int i = 0; i < 10; i++) {
            service.name();
        }
        assertThat(meters.get("courier.client.retries").counter().count())
                .as("no retry while both answer")
                .isZero();

        proxies.get(0).kill(); // a is gone: each call that picks a first is retried on b
        int callsOfB = impls.get(1).calls.get();
        for (int i = 0; i < 10; i++) {
            assertThat(service.name()).isEqualTo("b");
        }
        double retries = meters.get("courier.client.retries").counter().count();
        assertThat(retries).isPositive().isLessThanOrEqualTo(10);
        assertThat(impls.get(1).calls.get()).isEqualTo(callsOfB + 10);
    }

    @Test
    void failfastReportsTheErrorAndFailsafeReturnsTheDefault() {
        provider(new NamedProvider("a"));
        RpcClient client = client(RpcClient.builder());
        ClusterService failfast = client.reference(ClusterService.class)
                .faultTolerance(FaultTolerance.FAILFAST)
                .build();
        ClusterService failsafe = client.reference(ClusterService.class)
                .faultTolerance(FaultTolerance.FAILSAFE)
                .build();
        assertThatThrownBy(failfast::fail).isInstanceOf(RemoteException.class).hasMessageContaining("always fails");
        assertThat(failsafe.fail()).isZero();
    }

    @Test
    void forkingSendsToSeveralProvidersAndReturnsTheFirstAnswer() {
        NamedProvider a = new NamedProvider("a");
        NamedProvider b = new NamedProvider("b");
        provider(a);
        provider(b);
        ClusterService forking = client(RpcClient.builder())
                .reference(ClusterService.class)
                .faultTolerance(FaultTolerance.FORKING)
                .forks(2)
                .build();
        assertThat(forking.name()).isIn("a", "b");
        await().atMost(Duration.ofSeconds(20)).until(() -> a.calls.get() == 1 && b.calls.get() == 1);
    }

    @Test
    void attachmentsTravelFromConsumerInterceptorsToTheProvider() {
        Map<String, String> seenByServerInterceptor = new ConcurrentHashMap<>();
        owned(RpcServer.builder()
                .host("127.0.0.1")
                .registry(registry)
                .interceptor((invocation, chain) -> {
                    seenByServerInterceptor.putAll(invocation.attachments());
                    return chain.proceed(invocation);
                })
                .export(ClusterService.class, new NamedProvider("a"), ExportOptions.create())
                .start());
        ClusterService service = client(RpcClient.builder().interceptor((invocation, chain) -> {
                    invocation.attachments().put("trace-id", "t-42");
                    return chain.proceed(invocation);
                }))
                .reference(ClusterService.class)
                .build();

        assertThat(service.attachment("trace-id")).isEqualTo("t-42");
        assertThat(seenByServerInterceptor).containsEntry("trace-id", "t-42");
    }

    @Test
    void rateLimiterRejectsWithATypedError() {
        NamedProvider a = new NamedProvider("a");
        provider(a, ExportOptions.create().rateLimit(1));
        ClusterService service =
                client(RpcClient.builder()).reference(ClusterService.class).build();
        List<Throwable> errors = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            try {
                service.name();
            } catch (RuntimeException e) {
                errors.add(e);
            }
        }
        assertThat(errors)
                .isNotEmpty()
                .allSatisfy(e -> assertThat(e)
                        .isInstanceOf(RateLimitedException.class)
                        .hasMessageContaining("Rate limit of 1 calls/s"));
        assertThat(a.calls.get()).isEqualTo(20 - errors.size());
    }

    @Test
    void bulkheadRefusesCallsBeyondItsConcurrency() throws Exception {
        NamedProvider a = new NamedProvider("a");
        provider(a, ExportOptions.create().methodMaxConcurrent("slowName", 1));
        // a deadline far beyond the one-second call: a loaded machine must not turn it into a timeout
        ClusterService service = client(RpcClient.builder())
                .reference(ClusterService.class)
                .timeout(Duration.ofSeconds(30))
                .build();
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> service.slowName(1_000));
        await().atMost(Duration.ofSeconds(20)).until(() -> a.calls.get() == 1);
        assertThatThrownBy(() -> service.slowName(0))
                .isInstanceOf(ServerBusyException.class)
                .hasMessageContaining("Concurrency limit of 1");
        assertThat(service.name()).isEqualTo("a");
        assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo("a");
    }

    @Test
    void metricsCountCallsErrorsAndBreakerState() {
        SimpleMeterRegistry clientMeters = new SimpleMeterRegistry();
        SimpleMeterRegistry serverMeters = new SimpleMeterRegistry();
        RpcServer server = owned(RpcServer.builder()
                .host("127.0.0.1")
                .registry(registry)
                .meterRegistry(serverMeters)
                .export(ClusterService.class, new NamedProvider("a"), ExportOptions.create())
                .start());
        ClusterService service = client(RpcClient.builder().meterRegistry(clientMeters))
                .reference(ClusterService.class)
                .build();
        for (int i = 0; i < 3; i++) {
            service.name();
        }
        assertThatThrownBy(service::fail).isInstanceOf(RemoteException.class);

        // the provider records a call once its answer is queued, which the consumer may see first
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(clientMeters
                            .get("courier.client.calls")
                            .tags("method", "name", "outcome", "ok")
                            .timer()
                            .count())
                    .isEqualTo(3);
            assertThat(clientMeters
                            .get("courier.client.errors")
                            .tags("method", "fail", "kind", "remote")
                            .counter()
                            .count())
                    .isEqualTo(1);
            assertThat(serverMeters
                            .get("courier.server.calls")
                            .tags("method", "name", "outcome", "ok")
                            .timer()
                            .count())
                    .isEqualTo(3);
            assertThat(serverMeters
                            .get("courier.server.calls")
                            .tags("method", "fail", "outcome", "error")
                            .timer()
                            .count())
                    .isEqualTo(1);
        });
        assertThat(clientMeters
                        .get("courier.client.breaker.state")
                        .tags("address", "127.0.0.1:" + server.port())
                        .gauge()
                        .value())
                .isZero();
    }

    @Test
    void routesByTags() {
        provider(new NamedProvider("plain"));
        provider(new NamedProvider("canary"), ExportOptions.create().tags("canary"));
        ClusterService canary = client(RpcClient.builder())
                .reference(ClusterService.class)
                .tags("canary")
                .build();
        for (int i = 0; i < 20; i++) {
            assertThat(canary.name()).isEqualTo("canary");
        }
    }

    @Test
    void rollingRestartOfThreeProvidersFailsNoCall() throws Exception {
        List<RpcServer> servers = new ArrayList<>();
        List<NamedProvider> executions = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int i = 0; i < 3; i++) {
            NamedProvider old = new NamedProvider("old-" + i);
            executions.add(old);
            servers.add(RpcServer.builder()
                    .host("127.0.0.1")
                    .registry(registry)
                    .export(ClusterService.class, old, ExportOptions.create())
                    .start());
        }
        RpcClient client = client(RpcClient.builder());
        // record() is not idempotent: only calls that provably did not run may be retried
        ClusterService service = client.reference(ClusterService.class).build();

        AtomicInteger ok = new AtomicInteger();
        List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        Set<String> answeredBy = ConcurrentHashMap.newKeySet();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService callers = Executors.newFixedThreadPool(4);
        List<RpcServer> replacements = new ArrayList<>();
        try {
            for (int t = 0; t < 4; t++) {
                callers.execute(() -> {
                    while (!stop.get()) {
                        try {
                            answeredBy.add(service.record("x"));
                            ok.incrementAndGet();
                        } catch (RuntimeException e) {
                            errors.add(e);
                        }
                    }
                });
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> ok.get() > 200);
            for (int i = 0; i < 3; i++) {
                servers.get(i).close();
                NamedProvider fresh = new NamedProvider("new-" + i);
                executions.add(fresh);
                replacements.add(RpcServer.builder()
                        .host("127.0.0.1")
                        .registry(registry)
                        .export(ClusterService.class, fresh, ExportOptions.create())
                        .start());
                await().atMost(Duration.ofSeconds(10)).until(() -> fresh.calls.get() > 50);
            }
        } finally {
            stop.set(true);
            callers.shutdown();
            assertThat(callers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            servers.forEach(RpcServer::close);
            replacements.forEach(RpcServer::close);
        }
        assertThat(errors).isEmpty();
        assertThat(answeredBy).contains("old-0", "new-0", "new-1", "new-2");
        // record() is not idempotent: every successful call ran exactly once, none twice through a retry
        assertThat(executions.stream().mapToInt(p -> p.calls.get()).sum()).isEqualTo(ok.get());
    }
}
