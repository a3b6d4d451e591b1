package dev.courier.registry.internal;

import dev.courier.registry.ServiceInstance;
import dev.courier.registry.ServiceKey;
import dev.courier.registry.ServiceSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A single-node registry store inside the process: {@link RegistryState} behind one lock, with a timer
 * thread that revokes leases not renewed within their TTL. The same semantics as the Raft backend, for
 * development and tests. Thread-safe; {@link #close()} stops the timer and is idempotent.
 */
public final class EmbeddedLeaseBackend implements LeaseBackend {

    private static final long EXPIRY_CHECK_MILLIS = 50;

    private final Object lock = new Object();
    private final RegistryState state = new RegistryState(100_000);
    private final Map<Long, Long> deadlines = new HashMap<>();
    private final List<Waiter> waiters = new ArrayList<>();
    private final ScheduledExecutorService timer;

    private record Waiter(ServiceKey key, long after, CompletableFuture<ChangeBatch> future) {
    }

    public EmbeddedLeaseBackend() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "courier-embedded-registry");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::expire, EXPIRY_CHECK_MILLIS, EXPIRY_CHECK_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public long grant(Duration ttl) {
        synchronized (lock) {
            long id = state.grant(ttl.toMillis());
            deadlines.put(id, System.nanoTime() + ttl.toNanos());
            return id;
        }
    }

    @Override
    public boolean keepAlive(long leaseId) {
        synchronized (lock) {
            Long ttl = state.leaseTtls().get(leaseId);
            if (ttl == null) {
                return false;
            }
            deadlines.put(leaseId, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ttl));
            return true;
        }
    }

    @Override
    public void put(long leaseId, ServiceInstance instance) {
        synchronized (lock) {
            if (state.put(leaseId, instance) != null) {
                wake();
            }
        }
    }

    @Override
    public void delete(long leaseId, ServiceKey key, String instanceId) {
        synchronized (lock) {
            if (state.delete(key, instanceId, leaseId) != null) {
                wake();
            }
        }
    }

    @Override
    public void revoke(long leaseId) {
        synchronized (lock) {
            deadlines.remove(leaseId);
            if (!state.revoke(leaseId).isEmpty()) {
                wake();
            }
        }
    }

    @Override
    public ServiceSnapshot snapshot(ServiceKey key) {
        synchronized (lock) {
            return state.snapshot(key);
        }
    }

    @Override
    public Set<ServiceKey> services() {
        synchronized (lock) {
            return state.services();
        }
    }

    /** Number of instances and the revision, for status output. */
    public long[] countAndRevision() {
        synchronized (lock) {
            return new long[] {state.instanceCount(), state.revision()};
        }
    }

    @Override
    public CompletableFuture<ChangeBatch> changesSince(ServiceKey key, long after, Duration maxWait) {
        synchronized (lock) {
            ChangeBatch batch = state.changesSince(key, after);
            if (batch.reset() || !batch.changes().isEmpty()) {
                return CompletableFuture.completedFuture(batch);
            }
            Waiter w = new Waiter(key, after, new CompletableFuture<>());
            waiters.add(w);
            timer.schedule(() -> {
                synchronized (lock) {
                    waiters.remove(w);
                    w.future().complete(state.changesSince(key, after));
                }
            }, maxWait.toMillis(), TimeUnit.MILLISECONDS);
            return w.future();
        }
    }

    /**
     * Simulates a restart that loses every lease: all instances go away and clients must register again.
     */
    public void restart() {
        synchronized (lock) {
            for (Long id : new ArrayList<>(deadlines.keySet())) {
                state.revoke(id);
            }
            deadlines.clear();
            wake();
        }
    }

    private void expire() {
        synchronized (lock) {
            long now = System.nanoTime();
            boolean changed = false;
            for (Iterator<Map.Entry<Long, Long>> it = deadlines.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<Long, Long> e = it.next();
                if (now - e.getValue() > 0) {
                    it.remove();
                    changed |= !state.revoke(e.getKey()).isEmpty();
                }
            }
            if (changed) {
                wake();
            }
        }
    }

    /** Completes every waiter whose service changed. Caller holds the lock. */
    private void wake() {
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            ChangeBatch batch = state.changesSince(w.key(), w.after());
            if (batch.reset() || !batch.changes().isEmpty()) {
                it.remove();
                w.future().complete(batch);
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        synchronized (lock) {
            waiters.forEach(w -> w.future().completeExceptionally(new dev.courier.registry.RegistryException("registry closed")));
            waiters.clear();
        }
    }
}
