package dev.courier.registry.internal;

import dev.courier.registry.RegistryException;
import dev.courier.registry.coordination.CoordinationSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A coordination session as a lease of a {@link LeaseBackend}, renewed every TTL/3. It is valid until
 * TTL after the send time of its latest acknowledged renewal: the registry applies a renewal after it was
 * sent, and expires the lease no earlier than TTL after applying it, so this session turns invalid
 * before the registry can give its locks to anyone else (clock rates being equal). Once it lapses it
 * stays lapsed; its lease is revoked if the registry still has it.
 */
final class LeaseSession implements CoordinationSession {

    private static final Logger log = LoggerFactory.getLogger(LeaseSession.class);

    private final LeaseBackend backend;
    private final long ttlNanos;
    private final long id;
    private final CompletableFuture<Void> lost = new CompletableFuture<>();
    private final ScheduledExecutorService scheduler;
    private final ScheduledFuture<?> renewal;
    private final ScheduledFuture<?> check;
    private final java.util.function.BooleanSupplier renewalsStopped;
    private volatile long validUntil;

    LeaseSession(
            LeaseBackend backend,
            Duration ttl,
            ScheduledExecutorService scheduler,
            java.util.function.BooleanSupplier renewalsStopped) {
        this.backend = backend;
        this.renewalsStopped = renewalsStopped;
        this.ttlNanos = ttl.toNanos();
        this.scheduler = scheduler;
        long sent = System.nanoTime();
        this.id = backend.grant(ttl);
        this.validUntil = sent + ttlNanos;
        long period = Math.max(30, ttl.toMillis() / 3);
        long checkPeriod = Math.max(5, Math.min(100, ttl.toMillis() / 20));
        renewal = scheduler.scheduleWithFixedDelay(this::renew, period, period, TimeUnit.MILLISECONDS);
        check = scheduler.scheduleWithFixedDelay(this::checkDeadline, checkPeriod, checkPeriod, TimeUnit.MILLISECONDS);
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public boolean isValid() {
        return !lost.isDone() && System.nanoTime() - validUntil < 0;
    }

    @Override
    public CompletionStage<Void> lost() {
        return lost.minimalCompletionStage();
    }

    private void renew() {
        if (lost.isDone() || renewalsStopped.getAsBoolean()) {
            checkDeadline();
            return;
        }
        long sent = System.nanoTime();
        try {
            if (backend.keepAlive(id)) {
                if (sent - validUntil < 0 && !lost.isDone()) { // a renewal sent after the lapse revives nothing
                    validUntil = sent + ttlNanos;
                }
            } else {
                lose("its lease is gone from the registry");
            }
        } catch (RegistryException e) {
            log.debug("renewing coordination lease {} failed", id, e);
        }
        checkDeadline();
    }

    private void checkDeadline() {
        if (!lost.isDone() && System.nanoTime() - validUntil >= 0) {
            lose("it was not renewed within its TTL");
            try {
                scheduler.execute(this::revokeQuietly); // the registry may still have it
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // the coordination is closing and revokes on its own
            }
        }
    }

    /** Marks the session lost; false if it already was. */
    boolean lose(String why) {
        if (!lost.complete(null)) {
            return false;
        }
        renewal.cancel(false);
        check.cancel(false);
        log.info("coordination session {} lapsed: {}", id, why);
        return true;
    }

    private boolean end() {
        if (!lost.complete(null)) {
            return false;
        }
        renewal.cancel(false);
        check.cancel(false);
        return true;
    }

    private void revokeQuietly() {
        try {
            backend.revoke(id);
        } catch (RuntimeException e) {
            log.debug("could not revoke lapsed coordination lease {}", id, e);
        }
    }

    @Override
    public void close() {
        if (end()) {
            revokeQuietly();
        }
    }
}
