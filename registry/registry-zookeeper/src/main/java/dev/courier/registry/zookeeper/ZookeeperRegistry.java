package dev.courier.registry.zookeeper;

import dev.courier.registry.Registration;
import dev.courier.registry.Registry;
import dev.courier.registry.RegistryException;
import dev.courier.registry.ServiceInstance;
import dev.courier.registry.ServiceKey;
import dev.courier.registry.ServiceSnapshot;
import dev.courier.registry.Watch;
import dev.courier.registry.WatchEvent;
import dev.courier.registry.WatchListener;
import dev.courier.registry.internal.InstanceCodec;
import dev.courier.registry.internal.WatchView;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link Registry} on ZooKeeper. Each registered instance is an ephemeral node
 * {@code <root>/services/<group~interface:version>/<host:port>} holding the instance in
 * {@link InstanceCodec} form, so its lease is the client's ZooKeeper session: the effective TTL is the
 * session timeout given at connect time (the {@code leaseTtl} argument of {@link #register} cannot be
 * shorter). After the session is lost the client registers every open registration again in its new
 * session, first deleting a node still owned by the dead session, so no phantom instance survives it.
 * Revisions are ZooKeeper zxids (node {@code mzxid} for additions and updates; one above the last seen
 * for removals).
 *
 * <p><b>Watch semantics.</b> Watches use {@code CuratorCache}, which re-reads children after each
 * notification: it may report a burst of changes to different instances in another order than they
 * were made, and may never see an instance that came and went between two reads (ZooKeeper watches
 * are one-shot). The list a watch reports always converges to the registry's; only the Raft and
 * embedded backends deliver every change in order.
 *
 * <p><b>Closing</b> never waits on a quorum that is not there. {@link #close()} closes the session, which
 * makes ZooKeeper remove every node the session owns at once; closing one registration deletes its node
 * with one attempt, or, when not connected, leaves the deletion to the reconciler once the session is
 * back (or to the session's expiry). Neither goes through Curator's retry loop, so each returns within
 * about the session timeout however the ensemble fails.
 *
 * <p>Registrations of different instances proceed in parallel: making sure a node is ours takes a lock
 * for that node's path only (one of {@value #PATH_LOCKS} stripes), never the whole registry.
 *
 * <p>Thread-safe. Owns its Curator client when created by {@link #connect}.
 */
public final class ZookeeperRegistry implements Registry {

    private static final Logger log = LoggerFactory.getLogger(ZookeeperRegistry.class);
    /** Root used when the URL gives none. */
    public static final String DEFAULT_ROOT = "/courier";

    private static final long RECHECK_MILLIS = 2_000;
    static final int PATH_LOCKS = 64;

    private final CuratorFramework client;
    private final String servicesPath;
    private final Set<ZkRegistration> registrations = ConcurrentHashMap.newKeySet();
    private final Set<ZkWatch> watches = ConcurrentHashMap.newKeySet();
    /** Closed registrations whose node could not be deleted yet (not connected): retried on reconcile. */
    private final Set<ZkRegistration> undeleted = ConcurrentHashMap.newKeySet();

    private final ScheduledExecutorService reconciler;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean crashed;
    /** Serialise the round trips that make one node ours; striped by path, so instances do not queue. */
    private final Object[] pathLocks = new Object[PATH_LOCKS];

    private final String root;
    private final Set<dev.courier.registry.coordination.internal.StandardCoordination> coordinations =
            ConcurrentHashMap.newKeySet();
    private ZookeeperCoordinationBackend coordinationBackend; // made on first use, guarded by coordinations

    /**
     * Uses {@code client}, which must be started; {@link #close()} closes it.
     *
     * @param root the root path, for example {@code /courier}
     */
    public ZookeeperRegistry(CuratorFramework client, String root) {
        this.client = client;
        this.root = root;
        this.servicesPath = ZKPaths.makePath(root, "services");
        for (int i = 0; i < PATH_LOCKS; i++) {
            pathLocks[i] = new Object();
        }
        this.reconciler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "courier-zk-registry");
            t.setDaemon(true);
            return t;
        });
        client.getConnectionStateListenable().addListener((c, state) -> {
            if (state == ConnectionState.RECONNECTED) {
                reconciler.execute(this::reconcile);
            }
        });
        reconciler.scheduleWithFixedDelay(this::reconcile, RECHECK_MILLIS, RECHECK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Connects to {@code connectString}, waiting up to {@code connectionTimeout} for a session. */
    public static ZookeeperRegistry connect(
            String connectString, String root, Duration sessionTimeout, Duration connectionTimeout) {
        return connect(connectString, root, sessionTimeout, connectionTimeout, null);
    }

    /**
     * As above, authenticated with ZooKeeper's {@code digest} scheme as {@code digest} ({@code
     * user:password}; null for none). Every node this client creates then carries the ACL "the
     * creator (that digest user) may do everything, anyone may read": other clients can list and
     * watch, but only holders of the credentials can register, change or remove instances.
     */
    public static ZookeeperRegistry connect(
            String connectString, String root, Duration sessionTimeout, Duration connectionTimeout, String digest) {
        return connect(connectString, root, sessionTimeout, connectionTimeout, digest, null, null);
    }

    /**
     * As above, over ZooKeeper's client TLS (Netty) when {@code tlsKeyStore} is given: a PEM file holding
     * this client's private key and certificate, checked by the server, and {@code tlsTrust}, the PEM CA
     * file the server's certificate must be signed by (its host name is checked too).
     */
    public static ZookeeperRegistry connect(
            String connectString,
            String root,
            Duration sessionTimeout,
            Duration connectionTimeout,
            String digest,
            String tlsKeyStore,
            String tlsTrust) {
        CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder()
                .connectString(connectString)
                .sessionTimeoutMs((int) sessionTimeout.toMillis())
                .connectionTimeoutMs((int) connectionTimeout.toMillis())
                .retryPolicy(new ExponentialBackoffRetry(100, 8, 1_000));
        if (digest != null) {
            if (digest.indexOf(':') <= 0) {
                throw new IllegalArgumentException("ZooKeeper digest credentials must be user:password");
            }
            List<ACL> acl = new ArrayList<>(ZooDefs.Ids.CREATOR_ALL_ACL);
            acl.addAll(ZooDefs.Ids.READ_ACL_UNSAFE);
            // not List.copyOf: ZooKeeper asks the list contains(null), which immutable lists refuse with an NPE
            List<ACL> nodeAcl = java.util.Collections.unmodifiableList(acl);
            builder.authorization("digest", digest.getBytes(StandardCharsets.UTF_8))
                    .aclProvider(new ACLProvider() {
                        @Override
                        public List<ACL> getDefaultAcl() {
                            return nodeAcl;
                        }

                        @Override
                        public List<ACL> getAclForPath(String path) {
                            return nodeAcl;
                        }
                    });
        }
        if (tlsKeyStore != null || tlsTrust != null) {
            if (tlsKeyStore == null || tlsTrust == null) {
                throw new IllegalArgumentException(
                        "ZooKeeper TLS needs a key store (PEM key and certificate) and a" + " trusted CA file");
            }
            ZKClientConfig tls = new ZKClientConfig();
            tls.setProperty(ZKClientConfig.SECURE_CLIENT, "true");
            tls.setProperty(ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET, "org.apache.zookeeper.ClientCnxnSocketNetty");
            tls.setProperty("zookeeper.ssl.keyStore.location", tlsKeyStore);
            tls.setProperty("zookeeper.ssl.keyStore.type", "PEM");
            tls.setProperty("zookeeper.ssl.trustStore.location", tlsTrust);
            tls.setProperty("zookeeper.ssl.trustStore.type", "PEM");
            builder.zkClientConfig(tls);
        }
        CuratorFramework client = builder.build();
        client.start();
        try {
            if (!client.blockUntilConnected((int) connectionTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                client.close();
                throw new RegistryException(
                        "no ZooKeeper session with " + connectString + " within " + connectionTimeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            client.close();
            throw new RegistryException("interrupted while connecting to " + connectString, e);
        }
        return new ZookeeperRegistry(client, root);
    }

    /** The Curator client, for tools and tests. */
    public CuratorFramework curator() {
        return client;
    }

    String servicePath(ServiceKey key) {
        return ZKPaths.makePath(servicesPath, key.pathSegment());
    }

    String instancePath(ServiceInstance instance) {
        return ZKPaths.makePath(servicePath(instance.key()), instance.id());
    }

    @Override
    public Registration register(ServiceInstance instance, Duration leaseTtl) {
        ensureOpen();
        ZkRegistration registration = new ZkRegistration(instance, leaseTtl);
        registrations.add(registration);
        try {
            ensureNode(registration);
        } catch (RuntimeException e) {
            registrations.remove(registration);
            throw e;
        }
        return registration;
    }

    /**
     * Makes sure our session owns the node of {@code registration} (unless it was closed), with its current data:
     * creates it if
     * missing, replaces it if a dead session (or anyone else) still owns it.
     */
    private void ensureNode(ZkRegistration registration) {
        String path = instancePath(registration.instance);
        synchronized (lockFor(path)) {
            if (!registration.closed.get()) { // a registration closed meanwhile is not brought back
                ensureNodeLocked(registration.instance, path);
            }
        }
    }

    /** The lock of the node at {@code path}. */
    Object lockFor(String path) {
        return pathLocks[Math.floorMod(path.hashCode(), PATH_LOCKS)];
    }

    private void ensureNodeLocked(ServiceInstance instance, String path) {
        byte[] data = InstanceCodec.toBytes(instance);
        try {
            long session = client.getZookeeperClient().getZooKeeper().getSessionId();
            for (int attempt = 0; attempt < 5; attempt++) {
                Stat stat = client.checkExists().forPath(path);
                if (stat == null) {
                    try {
                        client.create()
                                .creatingParentContainersIfNeeded()
                                .withMode(CreateMode.EPHEMERAL)
                                .forPath(path, data);
                        return;
                    } catch (KeeperException.NodeExistsException raced) {
                        continue;
                    }
                }
                if (stat.getEphemeralOwner() == session) {
                    byte[] current = client.getData().forPath(path);
                    if (!Arrays.equals(current, data)) {
                        client.setData().withVersion(stat.getVersion()).forPath(path, data);
                    }
                    return;
                }
                log.info("replacing {} left by session 0x{}", path, Long.toHexString(stat.getEphemeralOwner()));
                try {
                    // one transaction: a reader sees the old node or ours, never a gap between the two
                    client.transaction()
                            .forOperations(
                                    client.transactionOp()
                                            .delete()
                                            .withVersion(stat.getVersion())
                                            .forPath(path),
                                    client.transactionOp()
                                            .create()
                                            .withMode(CreateMode.EPHEMERAL)
                                            .forPath(path, data));
                    return;
                } catch (KeeperException.NoNodeException
                        | KeeperException.BadVersionException
                        | KeeperException.NodeExistsException gone) {
                    log.debug("{} changed while replacing it; retrying", path);
                }
            }
            throw new RegistryException("could not take ownership of " + path);
        } catch (RegistryException e) {
            throw e;
        } catch (Exception e) {
            throw new RegistryException("cannot register " + instance.id() + " at " + path, e);
        }
    }

    /** Re-creates missing nodes of open registrations (after a session loss, or a deletion by hand). */
    private void reconcile() {
        if (crashed || closed.get() || !client.getZookeeperClient().isConnected()) {
            return;
        }
        for (ZkRegistration r : undeleted) {
            if (r.deleteNode()) {
                undeleted.remove(r);
            }
        }
        for (ZkRegistration r : registrations) {
            try {
                ensureNode(r);
            } catch (RuntimeException e) {
                log.warn("could not re-register {}; will retry", r.instance.id(), e);
            }
        }
    }

    @Override
    public ServiceSnapshot list(ServiceKey key) {
        ensureOpen();
        String path = servicePath(key);
        try {
            Stat parent = new Stat();
            List<String> children;
            try {
                children = client.getChildren().storingStatIn(parent).forPath(path);
            } catch (KeeperException.NoNodeException e) {
                return new ServiceSnapshot(key, 0, List.of());
            }
            List<ServiceInstance> instances = new ArrayList<>(children.size());
            for (String child : children) {
                try {
                    instances.add(InstanceCodec.fromBytes(client.getData().forPath(ZKPaths.makePath(path, child))));
                } catch (KeeperException.NoNodeException gone) {
                    log.debug("{} vanished while listing", child);
                }
            }
            return new ServiceSnapshot(key, parent.getPzxid(), instances);
        } catch (Exception e) {
            throw new RegistryException("cannot list " + key, e);
        }
    }

    @Override
    public Set<ServiceKey> services() {
        ensureOpen();
        Set<ServiceKey> keys = new TreeSet<>(java.util.Comparator.comparing(ServiceKey::canonical));
        try {
            for (String child : client.getChildren().forPath(servicesPath)) {
                Stat stat = client.checkExists().forPath(ZKPaths.makePath(servicesPath, child));
                if (stat != null && stat.getNumChildren() > 0) {
                    keys.add(ServiceKey.fromPathSegment(child));
                }
            }
        } catch (KeeperException.NoNodeException e) {
            return keys;
        } catch (Exception e) {
            throw new RegistryException("cannot list services", e);
        }
        return keys;
    }

    @Override
    public Watch watch(ServiceKey key, WatchListener listener) {
        ensureOpen();
        ZkWatch watch = new ZkWatch(key, listener);
        watches.add(watch);
        watch.start();
        return watch;
    }

    /**
     * Stops re-registering and watching and closes the client without deleting its nodes, as a crashed
     * process would. ZooKeeper removes the nodes when the session expires, provided it does not hear
     * the client's close: fault tests cut the connection first (for example with a frozen proxy).
     */
    public void simulateCrash() {
        crashed = true;
        coordinations.forEach(dev.courier.registry.coordination.internal.StandardCoordination::simulateCrash);
        closeQuietly(false);
    }

    /** Expires this client's session (client side), as a long network partition would. For fault tests. */
    public void expireSession() throws Exception {
        client.getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();
    }

    @Override
    public void close() {
        closeQuietly(true);
    }

    /** Coordination whose session is this client's ZooKeeper session ({@code sessionTtl} is not used). */
    @Override
    public dev.courier.registry.coordination.Coordination openCoordination(Duration sessionTtl) {
        ensureOpen();
        ZookeeperCoordinationBackend backend;
        synchronized (coordinations) {
            if (coordinationBackend == null) {
                coordinationBackend = new ZookeeperCoordinationBackend(client, root);
            }
            backend = coordinationBackend;
        }
        var holder = new java.util.concurrent.atomic.AtomicReference<
                dev.courier.registry.coordination.internal.StandardCoordination>();
        var coordination = new dev.courier.registry.coordination.internal.StandardCoordination(
                backend, sessionTtl, () -> coordinations.remove(holder.get()));
        holder.set(coordination);
        coordinations.add(coordination);
        if (closed.get()) {
            coordination.close();
            ensureOpen();
        }
        return coordination;
    }

    private void closeQuietly(boolean deregister) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        watches.forEach(ZkWatch::close);
        if (deregister) {
            new ArrayList<>(coordinations)
                    .forEach(dev.courier.registry.coordination.internal.StandardCoordination::close);
        }
        synchronized (coordinations) {
            if (coordinationBackend != null) {
                coordinationBackend.close();
            }
        }
        reconciler.shutdownNow();
        // closing the session removes every node it owns in one step; deleting them one by one first
        // would only add round trips, each retried for minutes when there is no quorum
        if (deregister) {
            log.debug("closing the session of {} registration(s)", registrations.size());
        }
        registrations.clear();
        undeleted.clear();
        client.close();
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("registry client is closed");
        }
    }

    private final class ZkRegistration implements Registration {
        private final ServiceInstance instance;
        private final Duration ttl;
        private final AtomicBoolean closed = new AtomicBoolean();

        ZkRegistration(ServiceInstance instance, Duration ttl) {
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
            if (closed.compareAndSet(false, true)
                    && registrations.remove(this)
                    && !ZookeeperRegistry.this.closed.get()
                    && !deleteNode()) {
                undeleted.add(this); // the session lives on: deleted once connected again
            }
        }

        /**
         * Deletes the node if this session owns it and no open registration took the same address
         * since: one attempt on the ZooKeeper handle (no Curator retry loop), none when not connected.
         *
         * @return whether nothing is left to delete
         */
        boolean deleteNode() {
            String path = instancePath(instance);
            if (!client.getZookeeperClient().isConnected()) {
                log.warn(
                        "not connected to ZooKeeper: {} is deleted once connected again (or goes with the session)",
                        path);
                return false;
            }
            synchronized (lockFor(path)) {
                if (registrations.stream()
                        .anyMatch(r -> instancePath(r.instance).equals(path))) {
                    return true; // registered again: the node is that registration's now
                }
                try {
                    org.apache.zookeeper.ZooKeeper zk =
                            client.getZookeeperClient().getZooKeeper();
                    Stat stat = zk.exists(path, false);
                    if (stat != null && stat.getEphemeralOwner() == zk.getSessionId()) {
                        zk.delete(path, stat.getVersion());
                    }
                    return true;
                } catch (KeeperException.NoNodeException | KeeperException.BadVersionException e) {
                    log.debug("{} already gone", path);
                    return true;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    log.warn("interrupted deregistering {}; retried once connected", path);
                    return false;
                } catch (Exception e) {
                    log.warn("could not deregister {}; retried once connected", path, e);
                    return false;
                }
            }
        }
    }

    private final class ZkWatch implements Watch {
        private final ServiceKey key;
        private final WatchListener listener;
        private final WatchView view;
        private final CuratorCache cache;
        private final String path;
        private volatile boolean closed;
        private boolean initialized;

        ZkWatch(ServiceKey key, WatchListener listener) {
            this.key = key;
            this.listener = listener;
            this.view = new WatchView(key);
            this.path = servicePath(key);
            this.cache = CuratorCache.build(client, path);
        }

        void start() {
            cache.listenable()
                    .addListener(CuratorCacheListener.builder()
                            .forCreates(this::upsert)
                            .forChanges((before, after) -> upsert(after))
                            .forDeletes(this::removed)
                            .forInitialized(this::initialized)
                            .build());
            cache.start();
        }

        private synchronized void initialized() {
            List<ServiceInstance> instances = new ArrayList<>();
            long revision = 0;
            for (ChildData d : cache.stream().toList()) {
                if (isInstance(d)) {
                    instances.add(InstanceCodec.fromBytes(d.getData()));
                    revision = Math.max(revision, d.getStat().getMzxid());
                }
            }
            initialized = true;
            deliver(view.reset(new ServiceSnapshot(key, revision, instances)));
        }

        private synchronized void upsert(ChildData d) {
            if (initialized && isInstance(d)) {
                long revision = Math.max(view.revision() + 1, d.getStat().getMzxid());
                deliver(view.upsert(revision, InstanceCodec.fromBytes(d.getData())));
            }
        }

        private synchronized void removed(ChildData d) {
            if (initialized && isInstance(d)) {
                deliver(view.removeById(view.revision() + 1, ZKPaths.getNodeFromPath(d.getPath())));
            }
        }

        private boolean isInstance(ChildData d) {
            return d.getData() != null
                    && d.getData().length > 0
                    && !d.getPath().equals(path)
                    && ZKPaths.getPathAndNode(d.getPath()).getPath().equals(path);
        }

        private void deliver(WatchEvent event) {
            if (event == null || closed) {
                return;
            }
            try {
                listener.onEvent(event);
            } catch (RuntimeException e) {
                log.warn("watch listener for {} threw", key, e);
            }
        }

        @Override
        public ServiceKey key() {
            return key;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                watches.remove(this);
                cache.close();
            }
        }
    }
}
