package dev.courier.registry.internal;

import dev.courier.registry.Registration;
import dev.courier.registry.Registry;
import dev.courier.registry.RegistryException;
import dev.courier.registry.ServiceInstance;
import dev.courier.registry.ServiceKey;
import dev.courier.registry.ServiceSnapshot;
import dev.courier.registry.Watch;
import dev.courier.registry.WatchEvent;
import dev.courier.registry.WatchListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link Registry} over a {@link LeaseBackend}: the client half shared by the embedded and Raft
 * backends. Registrations with the same TTL share one lease, renewed every TTL/3; when a renewal finds
 * the lease gone (the registry restarted, or the client was cut off for longer than the TTL) the client
 * grants a new lease and registers every open registration again. A watch lists at revision R and then
 * follows the changes after R, re-listing when told it fell behind. All the watches of one client share
 * one watch stream: one long poll asks about every watched service at once (watches of the same
 * service share what the client knows of it), so a thousand watches cost one poll, not a thousand.
 *
 * <p>Thread-safe. Owns one scheduler thread and a pool of {@value #DISPATCH_THREADS} threads delivering
 * watch events.
 */
public final class LeasedRegistry implements Registry {

    private static final Logger log = LoggerFactory.getLogger(LeasedRegistry.class);
    private static final Duration POLL_WAIT = Duration.ofSeconds(1);
    private static final long RETRY_MILLIS = 100;
    /** Threads delivering watch events (each watch's events in order, on one of them at a time). */
    private static final int DISPATCH_THREADS = 4;

    private final LeaseBackend backend;
    private final Runnable onClose;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService dispatcher;
    private final Map<Long, LeaseGroup> groups = new ConcurrentHashMap<>();
    private final Set<WatchLoop> watches = ConcurrentHashMap.newKeySet();
    private final WatchStream stream = new WatchStream();
    private final Set<dev.courier.registry.coordination.internal.StandardCoordination> coordinations =
            ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean heartbeatsStopped;

    /**
     * @param backend the store; closed by {@link #close()} only through {@code onClose}
     * @param onClose run once when this client closes (for example to release a shared backend)
     */
    public LeasedRegistry(LeaseBackend backend, Runnable onClose) {
        this.backend = backend;
        this.onClose = onClose;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(daemon("courier-registry-lease"));
        // bounded: a change to a service watched a thousand times is a thousand small tasks, not threads
        java.util.concurrent.ThreadPoolExecutor pool = new java.util.concurrent.ThreadPoolExecutor(
                DISPATCH_THREADS,
                DISPATCH_THREADS,
                30,
                TimeUnit.SECONDS,
                new java.util.concurrent.LinkedBlockingQueue<>(),
                daemon("courier-registry-watch"));
        pool.allowCoreThreadTimeOut(true);
        this.dispatcher = pool;
    }

    @Override
    public Registration register(ServiceInstance instance, Duration leaseTtl) {
        ensureOpen();
        long ttlMillis = leaseTtl.toMillis();
        if (ttlMillis < 100) {
            throw new IllegalArgumentException("lease TTL must be at least 100 ms: " + leaseTtl);
        }
        LeaseGroup group;
        synchronized (groups) {
            group = groups.get(ttlMillis);
            if (group == null) {
                group = new LeaseGroup(ttlMillis, backend.grant(leaseTtl));
                groups.put(ttlMillis, group);
                LeaseGroup g = group;
                long period = Math.max(30, ttlMillis / 3);
                group.heartbeat =
                        scheduler.scheduleWithFixedDelay(() -> heartbeat(g), period, period, TimeUnit.MILLISECONDS);
            }
        }
        LeasedRegistration registration = new LeasedRegistration(group, instance, leaseTtl);
        group.registrations.add(registration);
        try {
            while (true) {
                long leaseId = group.leaseId;
                group.lock.readLock().lock();
                try {
                    leaseId = group.leaseId;
                    backend.put(leaseId, instance);
                    return registration;
                } catch (LeaseNotFoundException e) {
                    log.debug("lease {} is gone while registering {}", group.leaseId, instance.id());
                } finally {
                    group.lock.readLock().unlock();
                }
                regrant(group, leaseId);
            }
        } catch (RuntimeException e) {
            group.registrations.remove(registration);
            throw e;
        }
    }

    @Override
    public ServiceSnapshot list(ServiceKey key) {
        ensureOpen();
        return backend.snapshot(key);
    }

    @Override
    public Set<ServiceKey> services() {
        ensureOpen();
        return backend.services();
    }

    @Override
    public Watch watch(ServiceKey key, WatchListener listener) {
        ensureOpen();
        ServiceSnapshot first = backend.snapshot(key);
        WatchLoop loop = new WatchLoop(key, listener);
        watches.add(loop);
        stream.add(loop, first);
        return loop;
    }

    /**
     * Stops renewing leases and delivering events without deregistering anything, as if the process had
     * crashed; the registry then expires the leases. For fault-injection tests.
     */
    public void simulateCrash() {
        heartbeatsStopped = true;
        watches.forEach(WatchLoop::close);
        coordinations.forEach(dev.courier.registry.coordination.internal.StandardCoordination::simulateCrash);
        if (closed.compareAndSet(false, true)) {
            shutdownThreads();
            onClose.run();
        }
    }

    @Override
    public dev.courier.registry.coordination.Coordination openCoordination(Duration sessionTtl) {
        ensureOpen();
        var holder = new java.util.concurrent.atomic.AtomicReference<
                dev.courier.registry.coordination.internal.StandardCoordination>();
        var coordination = new dev.courier.registry.coordination.internal.StandardCoordination(
                new LeaseCoordinationBackend(backend), sessionTtl, () -> coordinations.remove(holder.get()));
        holder.set(coordination);
        coordinations.add(coordination);
        if (closed.get()) {
            coordination.close();
            throw closedException();
        }
        return coordination;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        watches.forEach(WatchLoop::close);
        new ArrayList<>(coordinations).forEach(dev.courier.registry.coordination.internal.StandardCoordination::close);
        List<LeaseGroup> open = new ArrayList<>(groups.values());
        for (LeaseGroup g : open) {
            g.heartbeat.cancel(false);
            // a renewal that found the lease gone may be registering everything again under a new one:
            // wait for it, then revoke the lease it left (it registers nothing once closed is set)
            g.lock.writeLock().lock();
            try {
                backend.revoke(g.leaseId);
            } catch (RuntimeException e) {
                log.warn("could not revoke lease {} on close; it will expire", g.leaseId, e);
            } finally {
                g.lock.writeLock().unlock();
            }
        }
        groups.clear();
        shutdownThreads();
        onClose.run();
    }

    private void shutdownThreads() {
        scheduler.shutdownNow();
        dispatcher.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
            dispatcher.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void heartbeat(LeaseGroup group) {
        if (heartbeatsStopped || closed.get()) {
            return;
        }
        try {
            long leaseId = group.leaseId;
            if (!backend.keepAlive(leaseId)) {
                regrant(group, leaseId);
            }
        } catch (RuntimeException e) {
            log.debug("lease renewal failed; will retry", e);
        }
    }

    /**
     * Replaces lease {@code lost} of {@code group} by a new one and registers the group's instances under
     * it, unless another thread already did.
     */
    private void regrant(LeaseGroup group, long lost) {
        group.lock.writeLock().lock();
        try {
            if (group.leaseId != lost || closed.get()) {
                return; // someone else did; or closing, which revokes whatever lease the group has
            }
            log.info("lease {} is gone; registering {} instance(s) again", lost, group.registrations.size());
            group.leaseId = backend.grant(Duration.ofMillis(group.ttlMillis));
            for (LeasedRegistration r : group.registrations) {
                backend.put(group.leaseId, r.instance);
            }
        } finally {
            group.lock.writeLock().unlock();
        }
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("registry client is closed");
        }
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private static final class LeaseGroup {
        final long ttlMillis;
        /** Open registrations; iterated while re-registering. */
        final Set<LeasedRegistration> registrations = ConcurrentHashMap.newKeySet();
        /** Puts hold it shared; replacing the lease holds it exclusively. */
        final java.util.concurrent.locks.ReentrantReadWriteLock lock =
                new java.util.concurrent.locks.ReentrantReadWriteLock();

        volatile long leaseId;
        ScheduledFuture<?> heartbeat;

        LeaseGroup(long ttlMillis, long leaseId) {
            this.ttlMillis = ttlMillis;
            this.leaseId = leaseId;
        }
    }

    private final class LeasedRegistration implements Registration {
        private final LeaseGroup group;
        private final ServiceInstance instance;
        private final Duration ttl;
        private final AtomicBoolean closed = new AtomicBoolean();

        LeasedRegistration(LeaseGroup group, ServiceInstance instance, Duration ttl) {
            this.group = group;
            this.instance = instance;
            this.ttl = ttl;
        }

        @Override
        public ServiceInstance instance() {
            return instance;
        }

        @Override
        public Duration leaseTtl() {
            return ttl;
        }

        @Override
        public void close() {
            if (!closed.compareAndSet(false, true) || LeasedRegistry.this.closed.get()) {
                return;
            }
            group.registrations.remove(this);
            group.lock.readLock().lock();
            try {
                backend.delete(group.leaseId, instance.key(), instance.id());
            } catch (RuntimeException e) {
                log.warn("could not deregister {}; its lease will expire", instance.id(), e);
            } finally {
                group.lock.readLock().unlock();
            }
        }
    }

    /** What this client knows of one watched service, shared by its watches. */
    private static final class Feed {
        final WatchView view;
        final List<WatchLoop> watchers = new ArrayList<>();

        Feed(ServiceKey key) {
            view = new WatchView(key);
        }
    }

    /**
     * The client's one watch stream: a long poll about every watched service, answered when any of them
     * changes. A service watched for the first time starts a second poll at once (at most two are
     * out); an answer that arrives after a newer one changes nothing, since a view skips revisions it has
     * seen. Guarded by its own lock; listeners run on the dispatcher, in order for each watch.
     */
    private final class WatchStream {
        private final java.util.Map<ServiceKey, Feed> feeds = new java.util.HashMap<>();
        private int polls;
        private boolean dirty;

        synchronized void add(WatchLoop watch, ServiceSnapshot first) {
            Feed feed = feeds.get(watch.key);
            if (feed == null) {
                feed = new Feed(watch.key);
                feeds.put(watch.key, feed);
                watch.deliver(feed.view.reset(first));
                feed.watchers.add(watch);
                kick();
            } else {
                // what the stream knows, so that this watch and the others see the same changes from here on
                watch.deliver(
                        WatchEvent.snapshot(new ServiceSnapshot(watch.key, feed.view.revision(), feed.view.list())));
                feed.watchers.add(watch);
            }
        }

        synchronized void remove(WatchLoop watch) {
            Feed feed = feeds.get(watch.key);
            if (feed != null && feed.watchers.remove(watch) && feed.watchers.isEmpty()) {
                feeds.remove(watch.key);
            }
        }

        /** Makes sure a poll that covers every feed is out. Caller holds the lock. */
        private void kick() {
            if (polls < 2) {
                poll();
            } else {
                dirty = true;
            }
        }

        /** Sends a poll about every feed. Caller holds the lock. */
        private void poll() {
            if (feeds.isEmpty() || closed.get()) {
                return;
            }
            java.util.Map<ServiceKey, Long> afters = new java.util.HashMap<>();
            feeds.forEach((key, feed) -> afters.put(key, feed.view.revision()));
            polls++;
            try {
                backend.changesSince(afters, POLL_WAIT).whenCompleteAsync(this::answered, dispatcher);
            } catch (RuntimeException e) {
                polls--;
                retryLater(e);
            }
        }

        private synchronized void answered(java.util.Map<ServiceKey, ChangeBatch> batches, Throwable error) {
            polls--;
            if (closed.get()) {
                return;
            }
            if (error != null) {
                if (polls == 0) {
                    retryLater(error);
                }
                return;
            }
            batches.forEach((key, batch) -> {
                Feed feed = feeds.get(key);
                if (feed == null) {
                    return; // no longer watched
                }
                if (batch.reset()) {
                    relist(feed, key);
                } else {
                    for (Change c : batch.changes()) {
                        WatchEvent event = feed.view.apply(c);
                        if (event != null) {
                            feed.watchers.forEach(w -> w.deliver(event));
                        }
                    }
                }
            });
            if (polls == 0 || dirty) {
                dirty = false;
                poll();
            }
        }

        /** Lists {@code key} again; on failure the next poll says so again. Caller holds the lock. */
        private void relist(Feed feed, ServiceKey key) {
            try {
                WatchEvent event = feed.view.reset(backend.snapshot(key));
                feed.watchers.forEach(w -> w.deliver(event));
            } catch (RuntimeException e) {
                log.debug("re-list of {} failed; the next poll asks again", key, e);
            }
        }

        private void retryLater(Throwable error) {
            log.debug("watch stream poll failed; retrying", error);
            try {
                scheduler.schedule(
                        () -> {
                            synchronized (this) {
                                if (polls == 0) {
                                    poll();
                                }
                            }
                        },
                        RETRY_MILLIS,
                        TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                log.debug("registry client closing; the watch stream ends");
            }
        }
    }

    private final class WatchLoop implements Watch {
        private final ServiceKey key;
        private final WatchListener listener;
        private volatile boolean closed;
        /** The last delivery queued; the next runs after it. Guarded by the stream's lock. */
        private java.util.concurrent.CompletableFuture<Void> tail =
                java.util.concurrent.CompletableFuture.completedFuture(null);

        WatchLoop(ServiceKey key, WatchListener listener) {
            this.key = key;
            this.listener = listener;
        }

        @Override
        public ServiceKey key() {
            return key;
        }

        /** Queues {@code event} for the listener, after the events queued before it. */
        void deliver(WatchEvent event) {
            if (event == null || closed) {
                return;
            }
            tail = tail.thenRunAsync(
                    () -> {
                        if (closed) {
                            return;
                        }
                        try {
                            listener.onEvent(event);
                        } catch (RuntimeException e) {
                            log.warn("watch listener for {} threw", key, e);
                        }
                    },
                    dispatcher);
        }

        @Override
        public void close() {
            closed = true;
            watches.remove(this);
            stream.remove(this);
        }
    }

    /** Thrown for calls on a closed client. */
    static RegistryException closedException() {
        return new RegistryException("registry client is closed");
    }
}
