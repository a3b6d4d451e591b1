package dev.courier.registry;

import dev.courier.registry.internal.InstanceCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

/**
 * The consumer's view of a registry: keeps the last good list of every service it has seen in memory
 * and in a file per service, and answers from them when the registry cannot be reached.
 *
 * <p><b>Protection.</b> A list that would shrink a non-empty last good list to fewer than
 * {@code protectionThreshold} of its size (an empty list always counts) is not believed at once: the
 * cache keeps serving the last good list and asks the registry again after {@code confirmationDelay}.
 * Only if the registry still reports the shrunk list is it accepted. Consumers therefore keep calling
 * known providers through a registry glitch or a mass expiry caused by a network partition.
 *
 * <p><b>File format</b> ({@code <dir>/<group~interface:version>.list}):
 * <pre>
 * int magic(0x43524331 "CRC1") long revision int count instance* long crc32(of everything before)
 * </pre>
 * A file whose magic or CRC does not match is ignored. Files are replaced atomically.
 *
 * <p>Registrations pass straight through. Thread-safe; {@link #close()} closes the delegate and is
 * idempotent.
 */
public final class CachingRegistry implements Registry {

    private static final Logger log = LoggerFactory.getLogger(CachingRegistry.class);
    static final int FILE_MAGIC = 0x43524331;

    private final Registry delegate;
    private final Path directory;
    private final double protectionThreshold;
    private final Duration confirmationDelay;
    private final Map<ServiceKey, ServiceSnapshot> lastGood = new ConcurrentHashMap<>();
    private final ScheduledExecutorService confirmer;

    /**
     * @param delegate the registry to cache; owned by this object
     * @param directory where the per-service files live (created if missing); {@code null} for memory only
     * @param protectionThreshold in [0, 1]: lists smaller than this fraction of the last good list need
     *                            confirmation; 0 disables protection except for empty lists
     * @param confirmationDelay how long to wait before asking the registry to confirm a shrink
     */
    public CachingRegistry(Registry delegate, Path directory, double protectionThreshold, Duration confirmationDelay) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        if (protectionThreshold < 0 || protectionThreshold > 1) {
            throw new IllegalArgumentException("protectionThreshold must be in [0, 1]: " + protectionThreshold);
        }
        this.directory = directory;
        this.protectionThreshold = protectionThreshold;
        this.confirmationDelay = confirmationDelay;
        this.confirmer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "courier-registry-cache");
            t.setDaemon(true);
            return t;
        });
        if (directory != null) {
            try {
                Files.createDirectories(directory);
            } catch (IOException e) {
                throw new RegistryException("cannot create cache directory " + directory, e);
            }
        }
    }

    /** A cache with threshold 0.5 and a 5 s confirmation delay. */
    public CachingRegistry(Registry delegate, Path directory) {
        this(delegate, directory, 0.5, Duration.ofSeconds(5));
    }

    @Override
    public Registration register(ServiceInstance instance, Duration leaseTtl) {
        return delegate.register(instance, leaseTtl);
    }

    @Override
    public Set<ServiceKey> services() {
        return delegate.services();
    }

    /**
     * The registry's list if it is reachable and the list passes protection; otherwise the last good list
     * from memory or file.
     *
     * @throws RegistryException if the registry is unreachable and nothing is cached
     */
    @Override
    public ServiceSnapshot list(ServiceKey key) {
        ServiceSnapshot fresh;
        try {
            fresh = delegate.list(key);
        } catch (RuntimeException e) {
            ServiceSnapshot cached = cached(key);
            if (cached == null) {
                throw e instanceof RegistryException re ? re : new RegistryException("registry unreachable", e);
            }
            log.warn("registry unreachable; using the cached list of {} ({} instances)", key, cached.size(), e);
            return cached;
        }
        if (needsConfirmation(key, fresh)) {
            return cached(key);
        }
        accept(fresh);
        return fresh;
    }

    /** The last good list of {@code key} from memory, else from its file; {@code null} if none. */
    public ServiceSnapshot cached(ServiceKey key) {
        ServiceSnapshot s = lastGood.get(key);
        if (s == null && directory != null) {
            s = readFile(key);
            if (s != null) {
                lastGood.putIfAbsent(key, s);
            }
        }
        return s;
    }

    /**
     * Watches through the cache: events pass through while the list stays above the protection
     * threshold; a drastic shrink is held back until confirmed, then delivered as a snapshot.
     */
    @Override
    public Watch watch(ServiceKey key, WatchListener listener) {
        ProtectingListener protecting = new ProtectingListener(key, listener);
        Watch inner = delegate.watch(key, protecting);
        protecting.inner = inner;
        return inner;
    }

    /** Accepts {@code snapshot} as the last good list without protection (operator confirmation). */
    public void confirm(ServiceSnapshot snapshot) {
        accept(snapshot);
    }

    private boolean needsConfirmation(ServiceKey key, ServiceSnapshot fresh) {
        ServiceSnapshot good = cached(key);
        if (good == null || good.size() == 0) {
            return false;
        }
        return fresh.size() == 0 || fresh.size() < good.size() * protectionThreshold;
    }

    private void accept(ServiceSnapshot snapshot) {
        ServiceSnapshot previous = lastGood.put(snapshot.key(), snapshot);
        if (directory != null && !snapshot.equals(previous)) {
            writeFile(snapshot);
        }
    }

    private Path file(ServiceKey key) {
        return directory.resolve(key.pathSegment() + ".list");
    }

    private void writeFile(ServiceSnapshot s) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(FILE_MAGIC);
            out.writeLong(s.revision());
            out.writeInt(s.size());
            for (ServiceInstance i : s.instances()) {
                InstanceCodec.write(out, i);
            }
            CRC32 crc = new CRC32();
            crc.update(bytes.toByteArray());
            out.writeLong(crc.getValue());
            Path target = file(s.key());
            Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
            Files.write(tmp, bytes.toByteArray());
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            log.warn("could not write the registry cache file for {}", s.key(), e);
        }
    }

    private ServiceSnapshot readFile(ServiceKey key) {
        Path f = file(key);
        if (!Files.exists(f)) {
            return null;
        }
        try {
            byte[] data = Files.readAllBytes(f);
            if (data.length < 24) {
                return null;
            }
            CRC32 crc = new CRC32();
            crc.update(data, 0, data.length - 8);
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
            if (in.readInt() != FILE_MAGIC) {
                log.warn("ignoring cache file {}: bad magic", f);
                return null;
            }
            long revision = in.readLong();
            int count = in.readInt();
            List<ServiceInstance> instances = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                instances.add(InstanceCodec.read(in));
            }
            if (in.readLong() != crc.getValue()) {
                log.warn("ignoring cache file {}: checksum mismatch", f);
                return null;
            }
            return new ServiceSnapshot(key, revision, instances);
        } catch (IOException | RuntimeException e) {
            log.warn("ignoring unreadable cache file {}", f, e);
            return null;
        }
    }

    @Override
    public dev.courier.registry.coordination.Coordination openCoordination(Duration sessionTtl) {
        return delegate.openCoordination(sessionTtl);
    }

    @Override
    public void close() {
        confirmer.shutdownNow();
        delegate.close();
    }

    /** Applies protection to one watch's events. Events arrive one at a time (Registry contract). */
    private final class ProtectingListener implements WatchListener {
        private final ServiceKey key;
        private final WatchListener listener;
        private volatile Watch inner;
        private boolean holding;
        private boolean confirming;

        ProtectingListener(ServiceKey key, WatchListener listener) {
            this.key = key;
            this.listener = listener;
        }

        @Override
        public synchronized void onEvent(WatchEvent event) {
            ServiceSnapshot fresh = new ServiceSnapshot(key, event.revision(), event.instances());
            if (needsConfirmation(key, fresh)) {
                holding = true;
                if (!confirming) {
                    confirming = true;
                    log.warn(
                            "registry reports {} instance(s) of {} (last good {}); holding until confirmed",
                            fresh.size(),
                            key,
                            cached(key).size());
                    confirmer.schedule(this::confirmShrink, confirmationDelay.toMillis(), TimeUnit.MILLISECONDS);
                }
                return;
            }
            accept(fresh);
            if (holding) {
                holding = false;
                listener.onEvent(WatchEvent.snapshot(fresh));
            } else {
                listener.onEvent(event);
            }
        }

        private void confirmShrink() {
            ServiceSnapshot check;
            try {
                check = delegate.list(key);
            } catch (RuntimeException e) {
                log.warn("cannot confirm the shrink of {}; keeping the last good list", key, e);
                synchronized (this) {
                    confirming = false;
                }
                return;
            }
            synchronized (this) {
                confirming = false;
                if (!holding) {
                    return;
                }
                ServiceSnapshot good = cached(key);
                if (good != null && check.size() < good.size() * protectionThreshold || check.size() == 0) {
                    log.warn("registry confirmed {} instance(s) of {}; accepting", check.size(), key);
                }
                accept(check);
                holding = false;
                listener.onEvent(WatchEvent.snapshot(check));
            }
        }
    }
}
