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
import dev.courier.registry.coordination.QueueView;

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

    private final List<QueueWaiter> queueWaiters = new ArrayList<>();

    private record Waiter(ServiceKey key, long after, CompletableFuture<ChangeBatch> future) {
    }

    private record MultiWaiter(Map<ServiceKey, Long> afters, CompletableFuture<Map<ServiceKey, ChangeBatch>> future) {
    }

    private final List<MultiWaiter> multiWaiters = new ArrayList<>();

    private record QueueWaiter(String queue, long version, CompletableFuture<QueueView> future) {
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
            } else {
                wakeQueues();
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

    @Override
    public CompletableFuture<Map<ServiceKey, ChangeBatch>> changesSince(Map<ServiceKey, Long> afters, Duration maxWait) {
        Map<ServiceKey, Long> copy = Map.copyOf(afters);
        synchronized (lock) {
            Map<ServiceKey, ChangeBatch> batches = state.changesSince(copy);
            if (!batches.isEmpty()) {
                return CompletableFuture.completedFuture(batches);
            }
            MultiWaiter w = new MultiWaiter(copy, new CompletableFuture<>());
            multiWaiters.add(w);
            timer.schedule(() -> {
                synchronized (lock) {
                    if (multiWaiters.remove(w)) {
                        Map<ServiceKey, ChangeBatch> now = state.changesSince(copy);
                        w.future().completeAsync(() -> now, timer);
                    }
                }
            }, maxWait.toMillis(), TimeUnit.MILLISECONDS);
            return w.future();
        }
    }

    @Override
    public long enqueue(long leaseId, String queue, String value) {
        synchronized (lock) {
            long token = state.enqueue(leaseId, queue, value);
            wakeQueues();
            return token;
        }
    }

    @Override
    public void dequeue(String queue, long token) {
        synchronized (lock) {
            state.dequeue(queue, token);
            wakeQueues();
        }
    }

    @Override
    public QueueView queue(String queue) {
        synchronized (lock) {
            return state.queue(queue);
        }
    }

    @Override
    public CompletableFuture<QueueView> queueChanged(String queue, long version, Duration maxWait) {
        synchronized (lock) {
            if (state.queueVersion(queue) != version) {
                return CompletableFuture.completedFuture(state.queue(queue));
            }
            QueueWaiter w = new QueueWaiter(queue, version, new CompletableFuture<>());
            queueWaiters.add(w);
            timer.schedule(() -> {
                synchronized (lock) {
                    if (queueWaiters.remove(w)) {
                        w.future().completeAsync(() -> queue(queue), timer);
                    }
                }
            }, maxWait.toMillis(), TimeUnit.MILLISECONDS);
            return w.future();
        }
    }

    @Override
    public long addAndGet(String counter, long delta) {
        synchronized (lock) {
            return state.addAndGet(counter, delta);
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
            } else {
                wakeQueues(); // expired leases may have held lock queue entries
            }
        }
    }

    /** Completes every waiter whose lock queue changed. Caller holds the lock. */
    private void wakeQueues() {
        List<String> changed = state.drainChangedQueues();
        if (!changed.isEmpty()) {
            for (Iterator<QueueWaiter> it = queueWaiters.iterator(); it.hasNext(); ) {
                QueueWaiter w = it.next();
                if (state.queueVersion(w.queue()) != w.version()) {
                    it.remove();
                    QueueView view = state.queue(w.queue());
                    w.future().completeAsync(() -> view, timer); // outside the lock
                }
            }
        }
    }

    /** Completes every waiter whose service or lock queue changed. Caller holds the lock. */
    private void wake() {
        wakeQueues();
        for (Iterator<MultiWaiter> it = multiWaiters.iterator(); it.hasNext(); ) {
            MultiWaiter w = it.next();
            Map<ServiceKey, ChangeBatch> batches = state.changesSince(w.afters());
            if (!batches.isEmpty()) {
                it.remove();
                w.future().completeAsync(() -> batches, timer);
            }
        }
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
            queueWaiters.forEach(w -> w.future().completeExceptionally(new dev.courier.registry.RegistryException("registry closed")));
            queueWaiters.clear();
            multiWaiters.forEach(w -> w.future().completeExceptionally(new dev.courier.registry.RegistryException("registry closed")));
            multiWaiters.clear();
        }
    }
}
