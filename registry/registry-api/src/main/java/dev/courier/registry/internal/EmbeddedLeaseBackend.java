package dev.courier.registry.internal;

import dev.courier.registry.ServiceInstance;
import dev.courier.registry.ServiceKey;
import dev.courier.registry.ServiceSnapshot;
import dev.courier.registry.coordination.QueueView;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
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
    /** Runs the expiry check and the long polls' timeouts, and completes their answers. */
    private final ScheduledThreadPoolExecutor timer;

    private final ParkedQueries<ServiceKey, ChangeBatch> keyWaits;
    private final ParkedQueries<Set<ServiceKey>, Map<ServiceKey, ChangeBatch>> streamWaits;
    private final ParkedQueries<QueueAt, QueueView> queueWaits;

    /** A lock queue as a parked query last saw it. */
    private record QueueAt(String queue, long version) {}

    public EmbeddedLeaseBackend() {
        timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "courier-embedded-registry");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        keyWaits = new ParkedQueries<>(lock, timer, timer);
        streamWaits = new ParkedQueries<>(lock, timer, timer);
        queueWaits = new ParkedQueries<>(lock, timer, timer);
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
                wake(instance.key());
            }
        }
    }

    @Override
    public void delete(long leaseId, ServiceKey key, String instanceId) {
        synchronized (lock) {
            if (state.delete(key, instanceId, leaseId) != null) {
                wake(key);
            }
        }
    }

    @Override
    public void revoke(long leaseId) {
        synchronized (lock) {
            deadlines.remove(leaseId);
            wake(state.revoke(leaseId));
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
    public CompletableFuture<Map<ServiceKey, ChangeBatch>> changesSince(
            Map<ServiceKey, Long> afters, Duration maxWait) {
        Map<ServiceKey, Long> copy = Map.copyOf(afters);
        synchronized (lock) {
            Map<ServiceKey, ChangeBatch> batches = state.changesSince(copy);
            if (!batches.isEmpty()) {
                return CompletableFuture.completedFuture(batches);
            }
            return streamWaits.park(copy.keySet(), () -> state.changesSince(copy), maxWait.toMillis());
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
            return queueWaits.park(new QueueAt(queue, version), () -> state.queue(queue), maxWait.toMillis());
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
            return keyWaits.park(key, () -> state.changesSince(key, after), maxWait.toMillis());
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
            wakeQueues();
            keyWaits.wakeAll();
            streamWaits.wakeAll();
        }
    }

    private void expire() {
        synchronized (lock) {
            long now = System.nanoTime();
            List<Change> changes = new ArrayList<>();
            for (Iterator<Map.Entry<Long, Long>> it = deadlines.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<Long, Long> e = it.next();
                if (now - e.getValue() > 0) {
                    it.remove();
                    changes.addAll(state.revoke(e.getKey()));
                }
            }
            wake(changes); // expired leases may also have held lock queue entries
        }
    }

    /** Answers the long polls of lock queues that changed. Caller holds the lock. */
    private void wakeQueues() {
        if (!state.drainChangedQueues().isEmpty()) {
            queueWaits.wake(at -> state.queueVersion(at.queue()) != at.version());
        }
    }

    /** Answers the long polls on {@code key}. Caller holds the lock. */
    private void wake(ServiceKey key) {
        keyWaits.wake(key::equals);
        streamWaits.wake(keys -> keys.contains(key));
    }

    /**
     * Answers the long polls on the services of {@code changes} and of lock queues that changed. Caller holds the lock.
     */
    private void wake(List<Change> changes) {
        wakeQueues();
        Set<ServiceKey> keys = new HashSet<>();
        changes.forEach(c -> keys.add(c.instance().key()));
        if (!keys.isEmpty()) {
            keyWaits.wake(keys::contains);
            streamWaits.wake(watched -> watched.stream().anyMatch(keys::contains));
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        List<CompletableFuture<?>> parked = new ArrayList<>();
        synchronized (lock) {
            parked.addAll(keyWaits.removeAll());
            parked.addAll(streamWaits.removeAll());
            parked.addAll(queueWaits.removeAll());
        }
        parked.forEach(f -> f.completeExceptionally(new dev.courier.registry.RegistryException("registry closed")));
    }
}
