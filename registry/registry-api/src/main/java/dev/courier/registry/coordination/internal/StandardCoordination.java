package dev.courier.registry.coordination.internal;

import dev.courier.registry.RegistryException;
import dev.courier.registry.coordination.Coordination;
import dev.courier.registry.coordination.CoordinationBackend;
import dev.courier.registry.coordination.CoordinationSession;
import dev.courier.registry.coordination.DistributedLock;
import dev.courier.registry.coordination.IdGenerator;
import dev.courier.registry.coordination.LeaderElection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * {@link Coordination} over any {@link CoordinationBackend}. Owns two scheduler threads (one may block
 * renewing the session while the other notices that it lapsed; they also run observers), the current
 * session and everything opened through it.
 */
public final class StandardCoordination implements Coordination {

    private static final Logger log = LoggerFactory.getLogger(StandardCoordination.class);

    final CoordinationBackend backend;
    final ScheduledThreadPoolExecutor scheduler;
    private final Duration ttl;
    private final Runnable onClose;
    private final LongSupplier wallClock;
    private final Object sessionLock = new Object();
    private CoordinationSession session; // guarded by sessionLock
    private final Set<AutoCloseable> open = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param backend the registry's coordination backend (not closed by this object)
     * @param ttl the session TTL
     * @param onClose run once when this object closes
     */
    public StandardCoordination(CoordinationBackend backend, Duration ttl, Runnable onClose) {
        this(backend, ttl, onClose, System::currentTimeMillis);
    }

    /** As above, with the wall clock the snowflake generator reads (for tests of clock steps). */
    public StandardCoordination(CoordinationBackend backend, Duration ttl, Runnable onClose, LongSupplier wallClock) {
        if (ttl.toMillis() < 100) {
            throw new IllegalArgumentException("session TTL must be at least 100 ms: " + ttl);
        }
        this.backend = backend;
        this.ttl = ttl;
        this.onClose = onClose;
        this.wallClock = wallClock;
        this.scheduler = new ScheduledThreadPoolExecutor(2, r -> {
            Thread t = new Thread(r, "courier-coordination");
            t.setDaemon(true);
            return t;
        });
        scheduler.setRemoveOnCancelPolicy(true);
    }

    /** The backend this coordination runs on. */
    public CoordinationBackend backend() {
        return backend;
    }

    /** The current session, opening a new one when there is none or it lapsed. */
    CoordinationSession session() {
        synchronized (sessionLock) {
            ensureOpen();
            if (session == null || !session.isValid()) {
                if (session != null) {
                    session.close();
                }
                session = backend.openSession(ttl, scheduler);
            }
            return session;
        }
    }

    /** Acquires the head of {@code queue}; see {@link QueueAcquirer}. */
    Grant acquire(String queue, String value, Duration timeout) throws InterruptedException {
        Grant grant = new QueueAcquirer(this, queue, value).acquire(timeout);
        if (grant != null) {
            track(grant);
        }
        return grant;
    }

    void track(AutoCloseable resource) {
        open.add(resource);
        if (closed.get()) {
            closeQuietly(resource);
        }
    }

    void untrack(AutoCloseable resource) {
        open.remove(resource);
    }

    void ensureOpen() {
        if (closed.get()) {
            throw new RegistryException("coordination is closed");
        }
    }

    @Override
    public DistributedLock lock(String name) {
        return new QueueLock(this, CoordinationBackend.checkName("lock/" + name), name);
    }

    @Override
    public LeaderElection election(String name) {
        return new QueueElection(this, CoordinationBackend.checkName("election/" + name), name);
    }

    @Override
    public IdGenerator snowflake() {
        return new SnowflakeIds(this, wallClock, SnowflakeIds.DEFAULT_TOLERATED_BACKSTEP_MILLIS);
    }

    /** A snowflake generator that waits out a step back of up to {@code toleratedBackstepMillis}. */
    public IdGenerator snowflake(long toleratedBackstepMillis) {
        return new SnowflakeIds(this, wallClock, toleratedBackstepMillis);
    }

    @Override
    public IdGenerator segments(String name, int step) {
        if (step < 1) {
            throw new IllegalArgumentException("segment step must be positive: " + step);
        }
        return new SegmentIds(this, CoordinationBackend.checkName("segment/" + name), step);
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (AutoCloseable resource : open) {
            closeQuietly(resource);
        }
        open.clear();
        synchronized (sessionLock) {
            if (session != null) {
                session.close();
                session = null;
            }
        }
        scheduler.shutdownNow();
        onClose.run();
    }

    /**
     * Stops every thread at once, renewing and releasing nothing, as if the process had crashed: the
     * registry lets go of the session's locks when it lapses. For fault-injection tests.
     */
    public void simulateCrash() {
        if (closed.compareAndSet(false, true)) {
            scheduler.shutdownNow();
            onClose.run();
        }
    }

    private static void closeQuietly(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception e) {
            log.warn("could not close {}", resource, e);
        }
    }
}
