package dev.courier.registry.zookeeper;

import dev.courier.registry.RegistryException;
import dev.courier.registry.coordination.CoordinationBackend;
import dev.courier.registry.coordination.CoordinationSession;
import dev.courier.registry.coordination.QueueView;
import dev.courier.registry.coordination.SessionLostException;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.atomic.AtomicValue;
import org.apache.curator.framework.recipes.atomic.DistributedAtomicLong;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.curator.retry.RetryNTimes;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.data.Stat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * {@link CoordinationBackend} on ZooKeeper, the lock recipe ZooKeeper documents (and Curator's
 * {@code InterProcessMutex} uses): a lock queue {@code name} is the node
 * {@code <root>/coordination/queues/<url-encoded name>} (a container), each entry a protected
 * ephemeral sequential child holding the value, ordered by sequence. An entry's token is its
 * {@code czxid}: zxids only grow, so a later entry always has a larger token, even after the container
 * was removed and made again. A queue's version is the container's {@code pzxid} (0 when it does not
 * exist). Counters are Curator {@code DistributedAtomicLong}s under {@code <root>/coordination/counters}.
 *
 * <p>The session is the client's ZooKeeper session: valid while the client is connected in the session
 * it had when the session was opened. The client notices a silent server within two thirds of the
 * session timeout, before the server can expire the session, the guarantee Curator's recipes rest on; a
 * holder frozen for longer is what fencing tokens are for. {@code InterProcessMutex} itself is not used:
 * it is held by a thread and hides the node whose {@code czxid} is the fencing token.
 *
 * <p>Reads go to the server the client is connected to: it has applied every entry created before the
 * client's own (ZooKeeper's order), so a client never wrongly sees its entry at the head; it may see a
 * removal late. Thread-safe; owns one timer thread, stopped by {@link #close()}.
 */
final class ZookeeperCoordinationBackend implements AutoCloseable, CoordinationBackend {

    private static final String ENTRY_PREFIX = "e-";
    private static final int COUNTER_ATTEMPTS = 100;

    private final CuratorFramework client;
    private final String queuesPath;
    private final String countersPath;
    private final ScheduledThreadPoolExecutor timer;
    /** Path of each entry this client made, by token. */
    private final Map<Long, String> ownEntries = new ConcurrentHashMap<>();
    /** Entries to delete that could not be yet (not connected): deleted once connected again. */
    private final java.util.Set<String> pendingDeletes = ConcurrentHashMap.newKeySet();

    private final ConnectionStateListener reconnects;

    ZookeeperCoordinationBackend(CuratorFramework client, String root) {
        this.client = client;
        this.queuesPath = ZKPaths.makePath(root, "coordination", "queues");
        this.countersPath = ZKPaths.makePath(root, "coordination", "counters");
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "courier-zk-coordination");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        reconnects = (c, state) -> {
            if (state == org.apache.curator.framework.state.ConnectionState.RECONNECTED) {
                timer.execute(this::retryDeletes);
            }
        };
        client.getConnectionStateListenable().addListener(reconnects);
    }

    private String queuePath(String queue) {
        return ZKPaths.makePath(
                queuesPath, URLEncoder.encode(CoordinationBackend.checkName(queue), StandardCharsets.UTF_8));
    }

    @Override
    public CoordinationSession openSession(Duration ttl, ScheduledExecutorService scheduler) {
        try {
            if (!client.getZookeeperClient().blockUntilConnectedOrTimedOut()) {
                throw new RegistryException("ZooKeeper is not connected");
            }
            return new ZkSession(client.getZookeeperClient().getZooKeeper().getSessionId());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("interrupted while connecting to ZooKeeper", e);
        } catch (Exception e) {
            throw e instanceof RegistryException re ? re : new RegistryException("ZooKeeper is not reachable", e);
        }
    }

    /** The client's ZooKeeper session, as it was when opened. */
    private final class ZkSession implements CoordinationSession {
        private final long id;
        private final CompletableFuture<Void> lost = new CompletableFuture<>();
        private final ConnectionStateListener listener;

        ZkSession(long id) {
            this.id = id;
            this.listener = (c, state) -> {
                if (!state.isConnected() || currentSession() != id) {
                    lose();
                }
            };
            client.getConnectionStateListenable().addListener(listener);
            if (!isValid()) {
                lose();
            }
        }

        @Override
        public long id() {
            return id;
        }

        @Override
        public boolean isValid() {
            return !lost.isDone() && client.getZookeeperClient().isConnected() && currentSession() == id;
        }

        @Override
        public CompletionStage<Void> lost() {
            return lost.minimalCompletionStage();
        }

        private void lose() {
            if (lost.complete(null)) {
                client.getConnectionStateListenable().removeListener(listener);
            }
        }

        /** Ends the session for coordination: its entries are deleted (if still there). */
        @Override
        public void close() {
            lose();
            ownEntries.entrySet().removeIf(e -> {
                deleteOnce(e.getValue());
                return true;
            });
        }
    }

    private long currentSession() {
        try {
            return client.getZookeeperClient().getZooKeeper().getSessionId();
        } catch (Exception e) {
            return -1;
        }
    }

    @Override
    public long enqueue(CoordinationSession session, String queue, String value) {
        if (!session.isValid()) {
            throw new SessionLostException("the ZooKeeper session " + Long.toHexString(session.id()) + " is gone");
        }
        try {
            String path = client.create()
                    .creatingParentContainersIfNeeded()
                    .withProtection()
                    .withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
                    .forPath(
                            ZKPaths.makePath(queuePath(queue), ENTRY_PREFIX),
                            CoordinationBackend.checkValue(value).getBytes(StandardCharsets.UTF_8));
            Stat stat = client.checkExists().forPath(path);
            if (stat == null || stat.getEphemeralOwner() != session.id()) {
                deleteOnce(path);
                throw new SessionLostException("the ZooKeeper session " + Long.toHexString(session.id()) + " is gone");
            }
            ownEntries.put(stat.getCzxid(), path);
            return stat.getCzxid();
        } catch (RegistryException e) {
            throw e;
        } catch (Exception e) {
            throw failure("joining lock queue " + queue, e);
        }
    }

    /**
     * Deletes the entry with one attempt on the ZooKeeper handle (no Curator retry loop), or, when not
     * connected, once connected again: an entry left behind in a session that lives on would block the
     * queue. So leaving returns within about the session timeout however the ensemble fails.
     */
    @Override
    public void dequeue(String queue, long token) {
        String path = ownEntries.remove(token);
        if (path == null && client.getZookeeperClient().isConnected()) {
            try {
                path = find(queue, token);
            } catch (Exception e) {
                throw failure("leaving lock queue " + queue, e);
            }
        }
        if (path != null) {
            deleteOnce(path);
        }
    }

    private void deleteOnce(String path) {
        if (!client.getZookeeperClient().isConnected()) {
            pendingDeletes.add(path);
            return;
        }
        try {
            client.getZookeeperClient().getZooKeeper().delete(path, -1);
            pendingDeletes.remove(path);
        } catch (KeeperException.NoNodeException e) {
            pendingDeletes.remove(path);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pendingDeletes.add(path);
        } catch (Exception e) {
            pendingDeletes.add(path);
        }
    }

    private void retryDeletes() {
        for (String path : List.copyOf(pendingDeletes)) {
            deleteOnce(path);
        }
    }

    private String find(String queue, long token) throws Exception {
        String parent = queuePath(queue);
        try {
            for (String child : client.getChildren().forPath(parent)) {
                Stat stat = client.checkExists().forPath(ZKPaths.makePath(parent, child));
                if (stat != null && stat.getCzxid() == token) {
                    return ZKPaths.makePath(parent, child);
                }
            }
        } catch (KeeperException.NoNodeException e) {
            return null;
        }
        return null;
    }

    @Override
    public QueueView queue(String queue) {
        try {
            return read(queue, null);
        } catch (Exception e) {
            throw failure("reading lock queue " + queue, e);
        }
    }

    /** Reads the queue, leaving {@code watcher} (if any) on its children or, when it does not exist, on it. */
    private QueueView read(String queue, Watcher watcher) throws Exception {
        String parent = queuePath(queue);
        Stat parentStat = new Stat();
        List<String> children;
        try {
            children = watcher == null
                    ? client.getChildren().storingStatIn(parentStat).forPath(parent)
                    : client.getChildren()
                            .storingStatIn(parentStat)
                            .usingWatcher(watcher)
                            .forPath(parent);
        } catch (KeeperException.NoNodeException e) {
            if (watcher != null && client.checkExists().usingWatcher(watcher).forPath(parent) != null) {
                return read(queue, watcher); // made in between
            }
            return new QueueView(0, List.of());
        }
        List<String> sorted = new ArrayList<>(children);
        sorted.sort(Comparator.comparing(ZookeeperCoordinationBackend::sequence));
        List<QueueView.Entry> entries = new ArrayList<>();
        for (String child : sorted) {
            Stat stat = new Stat();
            try {
                byte[] data = client.getData().storingStatIn(stat).forPath(ZKPaths.makePath(parent, child));
                entries.add(new QueueView.Entry(stat.getCzxid(), new String(data, StandardCharsets.UTF_8)));
            } catch (KeeperException.NoNodeException e) {
                // left in between; the watch reports it
            }
        }
        return new QueueView(parentStat.getPzxid(), entries);
    }

    /** The sequence suffix of a child's name (protected names start with a GUID). */
    private static String sequence(String child) {
        return child.length() >= 10 ? child.substring(child.length() - 10) : child;
    }

    @Override
    public CompletableFuture<QueueView> queueChanged(String queue, long version, Duration maxWait) {
        CompletableFuture<QueueView> result = new CompletableFuture<>();
        String parent = queuePath(queue);
        Watcher watcher = event -> timer.execute(() -> complete(result, queue));
        try {
            QueueView view = read(queue, watcher);
            if (view.version() != version) {
                removeWatcher(watcher, parent);
                result.complete(view);
                return result;
            }
            var timeout = timer.schedule(
                    () -> {
                        removeWatcher(watcher, parent);
                        complete(result, queue);
                    },
                    maxWait.toMillis(),
                    TimeUnit.MILLISECONDS);
            result.whenComplete((v, e) -> timeout.cancel(false));
        } catch (Exception e) {
            result.completeExceptionally(failure("watching lock queue " + queue, e));
        }
        return result;
    }

    private void complete(CompletableFuture<QueueView> result, String queue) {
        if (result.isDone()) {
            return;
        }
        try {
            result.complete(read(queue, null));
        } catch (Exception e) {
            result.completeExceptionally(failure("reading lock queue " + queue, e));
        }
    }

    private void removeWatcher(Watcher watcher, String path) {
        try {
            client.watchers().remove(watcher).locally().forPath(path);
        } catch (Exception e) {
            // already fired or never set
        }
    }

    @Override
    public long addAndGet(String counter, long delta) {
        String path = ZKPaths.makePath(
                countersPath, URLEncoder.encode(CoordinationBackend.checkName(counter), StandardCharsets.UTF_8));
        DistributedAtomicLong value = new DistributedAtomicLong(client, path, new RetryNTimes(10, 10));
        try {
            for (int i = 0; i < COUNTER_ATTEMPTS; i++) {
                AtomicValue<Long> result = value.add(delta);
                if (result.succeeded()) {
                    return result.postValue();
                }
            }
        } catch (Exception e) {
            throw failure("adding to counter " + counter, e);
        }
        throw new RegistryException(
                "counter " + counter + " is contended: " + COUNTER_ATTEMPTS + " adds lost their race");
    }

    private static RegistryException failure(String what, Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        return new RegistryException(what + " failed on ZooKeeper", e);
    }

    @Override
    public void close() {
        client.getConnectionStateListenable().removeListener(reconnects);
        timer.shutdownNow();
    }
}
