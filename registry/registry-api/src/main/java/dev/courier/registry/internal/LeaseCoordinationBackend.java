package dev.courier.registry.internal;

import dev.courier.registry.coordination.CoordinationBackend;
import dev.courier.registry.coordination.CoordinationSession;
import dev.courier.registry.coordination.QueueView;
import dev.courier.registry.coordination.SessionLostException;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;

/** {@link CoordinationBackend} over a {@link LeaseBackend}: sessions are leases. Thread-safe. */
public final class LeaseCoordinationBackend implements CoordinationBackend {

    private final LeaseBackend backend;
    private volatile boolean renewalsStopped;

    public LeaseCoordinationBackend(LeaseBackend backend) {
        this.backend = backend;
    }

    @Override
    public CoordinationSession openSession(Duration ttl, ScheduledExecutorService scheduler) {
        return new LeaseSession(backend, ttl, scheduler, () -> renewalsStopped);
    }

    /**
     * From now on no session of this backend sends renewals, as if they were all lost on the way: each
     * lapses after its TTL, and the registry expires its lease. For fault-injection tests.
     */
    public void stopRenewals() {
        renewalsStopped = true;
    }

    @Override
    public long enqueue(CoordinationSession session, String queue, String value) {
        try {
            return backend.enqueue(
                    session.id(), CoordinationBackend.checkName(queue), CoordinationBackend.checkValue(value));
        } catch (LeaseNotFoundException e) {
            if (session instanceof LeaseSession s) {
                s.lose("its lease is gone from the registry");
            }
            throw new SessionLostException("coordination session " + session.id() + " is gone from the registry");
        }
    }

    @Override
    public void dequeue(String queue, long token) {
        backend.dequeue(queue, token);
    }

    @Override
    public QueueView queue(String queue) {
        return backend.queue(queue);
    }

    @Override
    public CompletableFuture<QueueView> queueChanged(String queue, long version, Duration maxWait) {
        return backend.queueChanged(queue, version, maxWait);
    }

    @Override
    public long addAndGet(String counter, long delta) {
        return backend.addAndGet(CoordinationBackend.checkName(counter), delta);
    }
}
