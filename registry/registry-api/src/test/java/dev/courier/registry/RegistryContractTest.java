package dev.courier.registry;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The behaviour every {@link Registry} backend must have. Subclasses start the backend, hand out clients
 * connected to it, and know how to crash a client and restart the registry.
 */
public abstract class RegistryContractTest {

    /** How long a change may take to show; generous because CI machines are small and busy. */
    protected static final Duration SETTLE = Duration.ofSeconds(15);

    /** Lease TTL the tests use. */
    protected static final Duration TTL = Duration.ofSeconds(2);

    /**
     * Lease TTL of registrations a test closes itself and whose exact events it checks: on a loaded
     * machine a 2 s lease can lapse between two heartbeats and come back, adding a REMOVED/ADDED pair
     * that those tests are not about.
     */
    protected static final Duration STABLE_TTL = Duration.ofSeconds(30);

    private final List<Registry> clients = new ArrayList<>();

    /** A new client connected to the backend under test. */
    protected abstract Registry connect();

    /** Makes {@code client} stop renewing its leases without deregistering, as a crashed process would. */
    protected abstract void crash(Registry client);

    /** Restarts the registry, or expires the client's session, so that clients must register again. */
    protected abstract void restartRegistryOrExpireSession(Registry client) throws Exception;

    /** How long a crashed provider's registration lasts: its TTL, or the backend's session timeout. */
    protected Duration expiresWithin() {
        return TTL;
    }

    /**
     * Whether the backend's watch delivers every change, in the order made. The ZooKeeper backend does
     * not: its cache may report a burst of changes in another order, or never see an instance that came
     * and went between two reads. Every backend's watch converges to the right list with increasing
     * revisions.
     */
    protected boolean deliversEveryChangeInOrder() {
        return true;
    }

    /**
     * Whether any client lists a registration as soon as {@code register} returns, and no longer lists
     * it once closing it (or its client) returns. The embedded and Raft (linearizable reads) backends
     * promise it; ZooKeeper converges.
     */
    protected boolean listsEveryChangeOnceTheCallReturns() {
        return true;
    }

    /** Asserts {@code check} at once where the backend promises it, else once it settles. */
    private void listedSoon(org.assertj.core.api.ThrowingConsumer<Registry> check, Registry consumer) {
        if (listsEveryChangeOnceTheCallReturns()) {
            check.accept(consumer);
        } else {
            await().atMost(SETTLE).untilAsserted(() -> check.accept(consumer));
        }
    }

    /** Name of the backend for printed figures. */
    protected abstract String backendName();

    protected final Registry client() {
        Registry r = connect();
        clients.add(r);
        return r;
    }

    @AfterEach
    void closeClients() {
        clients.forEach(Registry::close);
        clients.clear();
    }

    protected static ServiceKey key(String name) {
        return new ServiceKey("dev.courier.test." + name, "1.0", "default");
    }

    protected static ServiceInstance instance(ServiceKey key, int port) {
        return new ServiceInstance(key, "127.0.0.1", port, 100, Set.of("t"), Map.of("zone", "a"));
    }

    @Test
    void registeredInstanceIsListedAndClosingTheRegistrationRemovesIt() {
        Registry provider = client();
        Registry consumer = client();
        ServiceKey key = key("ListEcho");
        ServiceInstance one = instance(key, 20001);
        Registration reg = provider.register(one, STABLE_TTL);
        assertThat(reg.instance()).isEqualTo(one);
        listedSoon(c -> assertThat(c.list(key).instances()).containsExactly(one), consumer);
        assertThat(consumer.services()).contains(key);
        reg.close();
        reg.close();
        listedSoon(c -> assertThat(c.list(key).instances()).isEmpty(), consumer);
    }

    @Test
    void watchSeesAddsAndRemovesInOrderWithIncreasingRevisions() {
        Registry provider = client();
        Registry consumer = client();
        ServiceKey key = key("WatchEcho");
        List<WatchEvent> events = new CopyOnWriteArrayList<>();
        Watch watch = consumer.watch(key, events::add);
        await().atMost(SETTLE).until(() -> !events.isEmpty());
        assertThat(events.get(0).type()).isEqualTo(WatchEvent.Type.SNAPSHOT);
        assertThat(events.get(0).instances()).isEmpty();

        ServiceInstance a = instance(key, 20011);
        ServiceInstance b = instance(key, 20012);
        Registration ra = provider.register(a, STABLE_TTL);
        Registration rb = provider.register(b, STABLE_TTL);
        ra.close();
        await().atMost(SETTLE)
                .untilAsserted(() ->
                        assertThat(events.get(events.size() - 1).instances()).containsExactly(b));
        List<String> changes = events.stream()
                .skip(1)
                .map(e -> e.type() + " " + e.instance().port())
                .toList();
        if (deliversEveryChangeInOrder()) {
            assertThat(changes).containsExactly("ADDED 20011", "ADDED 20012", "REMOVED 20011");
        } else {
            assertThat(changes).contains("ADDED 20012");
        }
        for (int i = 2; i < events.size(); i++) {
            assertThat(events.get(i).revision()).isGreaterThan(events.get(i - 1).revision());
        }
        watch.close();
        rb.close();
    }

    @Test
    void crashedProviderDisappearsOnceItsLeaseLapses() {
        Registry provider = client();
        Registry consumer = client();
        ServiceKey key = key("CrashEcho");
        ServiceInstance a = instance(key, 20021);
        provider.register(a, TTL);
        List<WatchEvent> events = new CopyOnWriteArrayList<>();
        consumer.watch(key, events::add);
        await().atMost(SETTLE)
                .untilAsserted(() -> assertThat(consumer.list(key).instances()).containsExactly(a));

        long crashedAt = System.nanoTime();
        crash(provider);
        // how soon is reported below (about TTL + 0.1 s when the host is idle); the bound only keeps a
        // loaded machine's pauses from failing the test
        await().atMost(expiresWithin().plusSeconds(15)).untilAsserted(() -> {
            assertThat(consumer.list(key).instances()).isEmpty();
            assertThat(events.get(events.size() - 1).instances()).isEmpty();
        });
        long gone = (System.nanoTime() - crashedAt) / 1_000_000;
        System.out.printf(
                "[%s] crashed provider gone from the watcher after %d ms (expires within %d ms)%n",
                backendName(), gone, expiresWithin().toMillis());
    }

    @Test
    void registrationSurvivesRegistryRestartOrSessionLoss() throws Exception {
        Registry provider = client();
        Registry consumer = client();
        ServiceKey key = key("RestartEcho");
        ServiceInstance a = instance(key, 20031);
        provider.register(a, TTL);
        await().atMost(SETTLE)
                .untilAsserted(() -> assertThat(consumer.list(key).instances()).containsExactly(a));
        restartRegistryOrExpireSession(provider);
        await().atMost(Duration.ofSeconds(20))
                .ignoreExceptions()
                .untilAsserted(() -> assertThat(consumer.list(key).instances()).containsExactly(a));
        // and it stays registered: no phantom duplicate, no late expiry. A list that fails (an election
        // after the restart) is no evidence either way; every answer must be exactly the one instance.
        java.util.concurrent.atomic.AtomicInteger answers = new java.util.concurrent.atomic.AtomicInteger();
        await().during(TTL.plusMillis(500)).atMost(TTL.plusSeconds(15)).until(() -> {
            List<ServiceInstance> seen;
            try {
                seen = consumer.list(key).instances();
            } catch (RuntimeException unavailable) {
                return true;
            }
            answers.incrementAndGet();
            assertThat(seen).containsExactly(a); // a wrong answer fails at once
            return true;
        });
        assertThat(answers).hasPositiveValue();
    }

    @Test
    void thousandInstancesAcrossTwentyServices() {
        Registry provider = client();
        Registry consumer = client();
        int services = 20;
        int perService = 50;
        List<WatchEvent> events = new CopyOnWriteArrayList<>();
        consumer.watch(key("Many0"), events::add);
        long start = System.nanoTime();
        List<Registration> registrations = java.util.Collections.synchronizedList(new ArrayList<>());
        // eight registering threads, as a provider process with several services might
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        List<java.util.concurrent.Future<?>> done = new ArrayList<>();
        for (int s = 0; s < services; s++) {
            int service = s;
            done.add(pool.submit(() -> {
                for (int i = 0; i < perService; i++) {
                    registrations.add(
                            provider.register(instance(key("Many" + service), 30000 + i), Duration.ofSeconds(10)));
                }
            }));
        }
        for (java.util.concurrent.Future<?> f : done) {
            try {
                f.get();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        pool.shutdown();
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(
                "[%s] %d registrations from 8 threads in %.2f s = %.0f registrations/s%n",
                backendName(), registrations.size(), seconds, registrations.size() / seconds);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            int total = 0;
            for (int s = 0; s < services; s++) {
                total += consumer.list(key("Many" + s)).size();
            }
            assertThat(total).isEqualTo(services * perService);
        });
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() ->
                        assertThat(events.get(events.size() - 1).instances()).hasSize(perService));
        assertThat(consumer.services()).hasSizeGreaterThanOrEqualTo(services);
        registrations.forEach(Registration::close);
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() ->
                        assertThat(consumer.list(key("Many7")).instances()).isEmpty());
    }

    @Test
    void aHundredWatchersAllSeeOneChange() {
        Registry provider = client();
        Registry consumer = client();
        ServiceKey key = key("Fanout");
        int watchers = 100;
        long[] seenAt = new long[watchers];
        java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(watchers);
        for (int w = 0; w < watchers; w++) {
            int index = w;
            consumer.watch(key, e -> {
                if (e.type() == WatchEvent.Type.SNAPSHOT) {
                    ready.countDown();
                } else if (seenAt[index] == 0) {
                    synchronized (seenAt) {
                        seenAt[index] = System.nanoTime();
                    }
                }
            });
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> ready.getCount() == 0);
        provider.register(instance(key("FanoutWarmUp"), 20060), TTL); // the provider's client finds the leader first
        long start = System.nanoTime();
        provider.register(instance(key, 20061), TTL);
        long committed = (System.nanoTime() - start) / 1_000;
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            synchronized (seenAt) {
                return java.util.Arrays.stream(seenAt).allMatch(t -> t != 0);
            }
        });
        long[] micros;
        synchronized (seenAt) {
            micros = java.util.Arrays.stream(seenAt)
                    .map(t -> (t - start) / 1_000)
                    .sorted()
                    .toArray();
        }
        System.out.printf(
                "[%s] one change seen by %d watchers: p50 %.1f ms, p99 %.1f ms from the start of register(),"
                        + " which returned after %.1f ms%n",
                backendName(),
                watchers,
                micros[watchers / 2] / 1000.0,
                micros[watchers * 99 / 100 - 1] / 1000.0,
                committed / 1000.0);
    }

    @Test
    void closingTheClientDeregistersEverythingAndIsIdempotent() {
        Registry provider = connect();
        Registry consumer = client();
        ServiceKey key = key("CloseEcho");
        provider.register(instance(key, 20041), TTL);
        provider.register(instance(key, 20042), TTL);
        listedSoon(c -> assertThat(c.list(key).instances()).hasSize(2), consumer);
        provider.close();
        provider.close();
        listedSoon(c -> assertThat(c.list(key).instances()).isEmpty(), consumer);
    }

    @Test
    void reRegisteringTheSameAddressUpdatesIt() {
        Registry provider = client();
        Registry consumer = client();
        ServiceKey key = key("UpdateEcho");
        List<WatchEvent> events = new CopyOnWriteArrayList<>();
        consumer.watch(key, events::add);
        ServiceInstance a = instance(key, 20051);
        provider.register(a, STABLE_TTL);
        provider.register(a.withWeight(7), STABLE_TTL);
        listedSoon(c -> assertThat(c.list(key).instances()).containsExactly(a.withWeight(7)), consumer);
        await().atMost(SETTLE)
                .untilAsserted(() ->
                        assertThat(events.get(events.size() - 1).instances()).containsExactly(a.withWeight(7)));
    }
}
