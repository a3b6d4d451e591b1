package dev.courier.registry.coordination;

import dev.courier.registry.Registry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The behaviour of the coordination primitives on every registry backend. Subclasses start the backend,
 * hand out clients, and know how to crash a client and how to cut its session off from the registry.
 */
public abstract class CoordinationContractTest {

    /** Session TTL of every coordination in these tests. */
    protected static final Duration TTL = Duration.ofSeconds(2);
    /** How long a change may take to show on a small, busy machine. */
    protected static final Duration SETTLE = Duration.ofSeconds(20);

    private final List<Registry> clients = new ArrayList<>();
    private final List<Coordination> coordinations = new ArrayList<>();
    private final String prefix = "c" + java.util.UUID.randomUUID().toString().substring(0, 8) + "-";

    /** A new client connected to the backend under test (for ZooKeeper, with a session timeout of {@link #TTL}). */
    protected abstract Registry connect();

    /** Makes {@code client} stop everything at once without releasing anything, as a crashed process would. */
    protected abstract void crash(Registry client);

    /**
     * Cuts {@code coordination}'s session off from the registry for good: its renewals no longer get
     * through (the client is left alone afterwards).
     */
    protected abstract void partition(Registry client, Coordination coordination);

    /** Run between rounds of the contended-lock test: a fault of the backend itself (a leader killed), or nothing. */
    protected void backendFault(int round) throws Exception {}

    protected final Registry client() {
        Registry r = connect();
        clients.add(r);
        return r;
    }

    protected final Coordination coordination(Registry client) {
        return coordination(client, TTL);
    }

    /**
     * A coordination whose sessions live {@code ttl} between renewals: {@link #SETTLE} for a test whose
     * holders must not lose a lock through a renewal that a loaded host delayed past {@link #TTL}.
     */
    protected final Coordination coordination(Registry client, Duration ttl) {
        Coordination c = client.openCoordination(ttl);
        coordinations.add(c);
        return c;
    }

    protected final String name(String base) {
        return prefix + base;
    }

    @AfterEach
    void closeClients() {
        coordinations.forEach(Coordination::close);
        clients.forEach(Registry::close);
    }

    @Test
    void aLockHasOneHolderAtATimeAndEachGrantHasALargerToken() throws Exception {
        // here and in the tests below that are not about expiry, sessions outlive a renewal that a loaded
        // host delays past the 2 s TTL: a lapse would hand the lock on and fail them for the wrong reason
        DistributedLock a = coordination(client(), SETTLE).lock(name("orders"));
        DistributedLock b = coordination(client(), SETTLE).lock(name("orders"));
        LockGrant first = a.tryLock(SETTLE).orElseThrow();
        assertThat(first.isHeld()).isTrue();
        assertThat(b.tryLock(Duration.ofMillis(300))).isEmpty();
        first.close();
        first.close();
        assertThat(first.isHeld()).isFalse();
        assertThat(first.lost().toCompletableFuture()).isDone();
        LockGrant second = b.tryLock(SETTLE).orElseThrow();
        assertThat(second.fencingToken()).isGreaterThan(first.fencingToken());
        LockGrant third;
        second.close();
        third = a.tryLock(SETTLE).orElseThrow();
        assertThat(third.fencingToken()).isGreaterThan(second.fencingToken());
        third.close();
    }

    @Test
    void aWaiterIsGrantedTheLockWhenTheHolderReleasesIt() throws Exception {
        DistributedLock a = coordination(client(), SETTLE).lock(name("release"));
        DistributedLock b = coordination(client(), SETTLE).lock(name("release"));
        LockGrant held = a.tryLock(SETTLE).orElseThrow();
        CompletableFuture<Optional<LockGrant>> waiting = waitFor(b, SETTLE.multipliedBy(2));
        assertThat(waiting).isNotDone();
        held.close();
        LockGrant next = waiting.get(SETTLE.toSeconds(), TimeUnit.SECONDS).orElseThrow();
        assertThat(next.fencingToken()).isGreaterThan(held.fencingToken());
        next.close();
    }

    @Test
    void aCrashedHoldersLockPassesToTheNextWaiterOnceItsSessionLapses() throws Exception {
        Registry dying = client();
        LockGrant held = coordination(dying).lock(name("crash")).tryLock(SETTLE).orElseThrow();
        DistributedLock b = coordination(client()).lock(name("crash"));
        CompletableFuture<Optional<LockGrant>> waiting = waitFor(b, SETTLE.multipliedBy(2));
        crash(dying);
        LockGrant next = waiting.get(SETTLE.multipliedBy(2).toSeconds(), TimeUnit.SECONDS)
                .orElseThrow();
        assertThat(next.fencingToken()).isGreaterThan(held.fencingToken());
        next.close();
    }

    @Test
    void aHolderCutOffFromTheRegistryKnowsItLostTheLockBeforeAnotherClientGetsIt() throws Exception {
        Registry cut = client();
        Coordination cutCoordination = coordination(cut);
        LockGrant held = cutCoordination.lock(name("partition")).tryLock(SETTLE).orElseThrow();
        DistributedLock b = coordination(client()).lock(name("partition"));
        CompletableFuture<Optional<LockGrant>> waiting = waitFor(b, SETTLE.multipliedBy(2));
        partition(cut, cutCoordination);
        LockGrant next = waiting.get(SETTLE.multipliedBy(2).toSeconds(), TimeUnit.SECONDS)
                .orElseThrow();
        // the first holder's grant stopped holding before the registry could hand the lock on; the
        // notification of the loss comes from its session's thread, so it may land a moment later
        assertThat(held.isHeld()).isFalse();
        await().atMost(SETTLE).until(() -> held.lost().toCompletableFuture().isDone());
        assertThat(next.fencingToken()).isGreaterThan(held.fencingToken());
        next.close();
    }

    @Test
    void aWaitThatTimesOutLeavesNothingInTheQueue() throws Exception {
        // sessions that outlive a delayed renewal: with the 2 s TTL, a's session lapsed once on a loaded host
        // and b got the lock within its 200 ms wait. Expiry is not what this test is about.
        DistributedLock a = coordination(client(), SETTLE).lock(name("timeout"));
        DistributedLock b = coordination(client(), SETTLE).lock(name("timeout"));
        DistributedLock c = coordination(client(), SETTLE).lock(name("timeout"));
        LockGrant held = a.tryLock(SETTLE).orElseThrow();
        assertThat(b.tryLock(Duration.ofMillis(200))).isEmpty();
        held.close();
        // had b's wait left its entry, c would queue behind it (for b's whole session) and not get the lock at
        // once
        LockGrant next = c.tryLock(Duration.ZERO).orElseThrow();
        next.close();
    }

    @Test
    void closingTheCoordinationReleasesItsLocks() throws Exception {
        // a session far longer than the wait: the lock can only come free through close()
        Coordination owner = client().openCoordination(SETTLE.multipliedBy(3));
        owner.lock(name("close")).tryLock(SETTLE).orElseThrow();
        DistributedLock b = coordination(client(), SETTLE).lock(name("close"));
        CompletableFuture<Optional<LockGrant>> waiting = waitFor(b, SETTLE);
        owner.close();
        owner.close();
        // released at once: long before the session's TTL would have run out
        waiting.get(SETTLE.toSeconds(), TimeUnit.SECONDS).orElseThrow().close();
        assertThatThrownBy(() -> owner.lock(name("close")).tryLock(Duration.ZERO))
                .isInstanceOf(dev.courier.registry.RegistryException.class);
    }

    @Test
    void namesAreChecked() {
        Coordination c = coordination(client());
        assertThatThrownBy(() -> c.lock("x".repeat(CoordinationBackend.MAX_NAME_LENGTH)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.election(name("e"))
                        .campaign("y".repeat(CoordinationBackend.MAX_VALUE_LENGTH + 1), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anElectionHasOneLeaderThatObserversSeeAndTheNextCandidateLeadsWhenItResigns() throws Exception {
        LeaderElection a = coordination(client(), SETTLE).election(name("scheduler"));
        LeaderElection b = coordination(client(), SETTLE).election(name("scheduler"));
        LeaderElection watcher = coordination(client(), SETTLE).election(name("scheduler"));
        List<Optional<LeaderElection.Leader>> seen = new CopyOnWriteArrayList<>();
        AutoCloseable observation = watcher.observe(seen::add);
        await().atMost(SETTLE).until(() -> !seen.isEmpty());
        assertThat(seen.get(0)).isEmpty();

        Leadership first = a.campaign("node-a", SETTLE).orElseThrow();
        assertThat(first.isLeader()).isTrue();
        assertThat(watcher.leader()).contains(new LeaderElection.Leader("node-a", first.term()));
        CompletableFuture<Optional<Leadership>> campaigning = CompletableFuture.supplyAsync(() -> {
            try {
                return b.campaign("node-b", SETTLE.multipliedBy(2));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(SETTLE)
                .until(() -> seen.contains(Optional.of(new LeaderElection.Leader("node-a", first.term()))));
        assertThat(campaigning).isNotDone();
        first.close();
        assertThat(first.lost().toCompletableFuture()).isDone();
        Leadership second =
                campaigning.get(SETTLE.toSeconds(), TimeUnit.SECONDS).orElseThrow();
        assertThat(second.term()).isGreaterThan(first.term());
        await().atMost(SETTLE)
                .until(() -> seen.contains(Optional.of(new LeaderElection.Leader("node-b", second.term()))));
        second.close();
        await().atMost(SETTLE).until(() -> seen.get(seen.size() - 1).isEmpty());
        observation.close();
        // each change once, in order: nothing, a, (maybe nothing between), b, nothing
        List<String> order = seen.stream()
                .map(l -> l.map(LeaderElection.Leader::candidate).orElse("-"))
                .toList();
        assertThat(order).containsSubsequence("-", "node-a", "node-b", "-");
        for (int i = 1; i < order.size(); i++) {
            assertThat(order.get(i)).isNotEqualTo(order.get(i - 1));
        }
    }

    @Test
    void aLeaderIsToldWhenItsSessionLapsesAndAnotherCandidateTakesOver() throws Exception {
        Registry cut = client();
        Coordination cutCoordination = coordination(cut);
        Leadership first = cutCoordination
                .election(name("lapse"))
                .campaign("node-a", SETTLE)
                .orElseThrow();
        LeaderElection other = coordination(client()).election(name("lapse"));
        CompletableFuture<Optional<Leadership>> campaigning = CompletableFuture.supplyAsync(() -> {
            try {
                return other.campaign("node-b", SETTLE.multipliedBy(3));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        partition(cut, cutCoordination);
        first.lost().toCompletableFuture().get(SETTLE.toSeconds(), TimeUnit.SECONDS);
        assertThat(first.isLeader()).isFalse();
        Leadership second = campaigning
                .get(SETTLE.multipliedBy(2).toSeconds(), TimeUnit.SECONDS)
                .orElseThrow();
        assertThat(second.term()).isGreaterThan(first.term());
        assertThat(other.leader().map(LeaderElection.Leader::candidate)).contains("node-b");
        second.close();
    }

    @Test
    void segmentIdsAreUniqueAndEachGeneratorsIdsIncrease() throws Exception {
        IdGenerator a = coordination(client()).segments(name("orders"), 50);
        IdGenerator b = coordination(client()).segments(name("orders"), 50);
        List<Long> fromA = new ArrayList<>();
        List<Long> fromB = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> fa = pool.submit(() -> {
                for (int i = 0; i < 400; i++) {
                    fromA.add(a.nextId());
                }
            });
            Future<?> fb = pool.submit(() -> {
                for (int i = 0; i < 400; i++) {
                    fromB.add(b.nextId());
                }
            });
            fa.get(SETTLE.toSeconds(), TimeUnit.SECONDS);
            fb.get(SETTLE.toSeconds(), TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertThat(fromA).isSorted().doesNotHaveDuplicates();
        assertThat(fromB).isSorted().doesNotHaveDuplicates();
        Set<Long> all = new HashSet<>(fromA);
        all.addAll(fromB);
        assertThat(all).hasSize(800);
        assertThat(all).allMatch(id -> id > 0);
    }

    @Test
    void snowflakeIdsAreUniqueAcrossClientsWhoseWorkerIdsDiffer() throws Exception {
        IdGenerator a = coordination(client()).snowflake();
        IdGenerator b = coordination(client()).snowflake();
        Set<Long> ids = java.util.concurrent.ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Long> fromA = new ArrayList<>();
        try {
            Future<?> fa = pool.submit(() -> {
                for (int i = 0; i < 20_000; i++) {
                    long id = a.nextId();
                    fromA.add(id);
                    ids.add(id);
                }
            });
            Future<?> fb = pool.submit(() -> {
                for (int i = 0; i < 20_000; i++) {
                    ids.add(b.nextId());
                }
            });
            fa.get(SETTLE.toSeconds(), TimeUnit.SECONDS);
            fb.get(SETTLE.toSeconds(), TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertThat(ids).hasSize(40_000);
        assertThat(fromA).isSorted();
        Set<Long> workers = new HashSet<>();
        ids.forEach(id -> workers.add((id >>> 12) & 0x3FF));
        // two at least: a generator whose session lapses (a loaded host) leases another worker id and goes on
        assertThat(workers).hasSizeGreaterThanOrEqualTo(2);
    }

    /**
     * Jepsen-style: four clients contend for one lock while, round after round, the holder is cut off
     * (mid-hold, for holds last longer than the session TTL) and replaced (and the backend's own fault, such as a
     * killed leader, strikes). Each holder writes to a
     * register that keeps the highest fencing token it has seen. Checked: grants in the order they were
     * learnt carry increasing tokens; no two holders believed they held the lock at the same moment; the
     * lock kept changing hands.
     */
    @Test
    void aContendedLockUnderFaultsNeverHasTwoCurrentHolders() throws Exception {
        record Held(long token, long from, long until) {}
        List<Held> history = new CopyOnWriteArrayList<>();
        AtomicLong register = new AtomicLong();
        AtomicInteger refused = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        String lock = name("contended");
        List<Thread> workers = new ArrayList<>();
        List<Registry[]> slots = new ArrayList<>();
        List<Coordination[]> slotCoordinations = new ArrayList<>();
        AtomicInteger holder = new AtomicInteger(-1);
        for (int w = 0; w < 4; w++) {
            int index = w;
            Registry[] slot = {client()};
            Coordination[] slotCoordination = {coordination(slot[0])};
            slots.add(slot);
            slotCoordinations.add(slotCoordination);
            Thread t = new Thread(
                    () -> {
                        while (!stop.get()) {
                            Coordination c = slotCoordination[0];
                            try {
                                Optional<LockGrant> grant = c.lock(lock).tryLock(Duration.ofSeconds(2));
                                if (grant.isEmpty()) {
                                    continue;
                                }
                                long from = System.nanoTime();
                                long until = from;
                                holder.set(index);
                                // longer than the session TTL: a cut striking now ends the hold early
                                for (int i = 0; i < 25; i++) {
                                    long check = System.nanoTime();
                                    if (!grant.get().isHeld()) {
                                        break;
                                    }
                                    until = check;
                                    long token = grant.get().fencingToken();
                                    if (register.accumulateAndGet(token, Math::max) != token) {
                                        refused.incrementAndGet();
                                    }
                                    Thread.sleep(100); // the holder's work
                                }
                                holder.compareAndSet(index, -1);
                                history.add(new Held(grant.get().fencingToken(), from, until));
                                grant.get().close();
                            } catch (InterruptedException e) {
                                return;
                            } catch (RuntimeException e) {
                                // unreachable for a while, or this slot's client was cut off: try again
                            }
                        }
                    },
                    "contender-" + w);
            t.setDaemon(true);
            workers.add(t);
            t.start();
        }
        try {
            for (int round = 0; round < 3; round++) {
                int before = history.size();
                await().atMost(SETTLE.multipliedBy(2)).until(() -> history.size() >= before + 2);
                int current = holder.get();
                int victim = current >= 0 ? current : round % slots.size(); // the holder, while it holds
                Registry old = slots.get(victim)[0];
                partition(old, slotCoordinations.get(victim)[0]);
                Registry fresh = client();
                slotCoordinations.get(victim)[0] = coordination(fresh);
                slots.get(victim)[0] = fresh;
                backendFault(round);
            }
            int before = history.size();
            await().atMost(SETTLE.multipliedBy(2)).until(() -> history.size() >= before + 2);
        } finally {
            stop.set(true);
            for (Thread t : workers) {
                t.interrupt();
                t.join(TimeUnit.SECONDS.toMillis(30));
            }
        }
        List<Held> byStart = new ArrayList<>(history);
        byStart.sort(Comparator.comparingLong(Held::from));
        for (int i = 1; i < byStart.size(); i++) {
            Held previous = byStart.get(i - 1);
            Held next = byStart.get(i);
            assertThat(next.token()).as("grant %d of %s", i, byStart).isGreaterThan(previous.token());
            assertThat(next.from())
                    .as("grant %d began after the one before last held, in %s", i, byStart)
                    .isGreaterThan(previous.until());
        }
        // a write refused by the register is fencing at work: its holder was descheduled between its check
        // and its write for longer than its session had left; it is counted, not an error
        System.out.printf(
                "[%s] contended lock under faults: %d grants, tokens increasing, no overlap,"
                        + " %d late writes fenced off%n",
                getClass().getSimpleName(), byStart.size(), refused.get());
    }

    private static CompletableFuture<Optional<LockGrant>> waitFor(DistributedLock lock, Duration timeout) {
        CompletableFuture<Optional<LockGrant>> result = new CompletableFuture<>();
        Thread t = new Thread(
                () -> {
                    try {
                        result.complete(lock.tryLock(timeout));
                    } catch (Throwable e) {
                        result.completeExceptionally(e);
                    }
                },
                "lock-waiter");
        t.setDaemon(true);
        t.start();
        return result;
    }
}
