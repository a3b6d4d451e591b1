package dev.courier.rpc.internal.cluster;

import dev.courier.registry.Registry;
import dev.courier.registry.ServiceInstance;
import dev.courier.registry.ServiceKey;
import dev.courier.registry.Watch;
import dev.courier.registry.WatchEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.function.Consumer;

/**
 * The providers of one service as the registry last reported them, kept current by a watch. While the
 * registry is unreachable the last list stays (use a {@link dev.courier.registry.CachingRegistry} to
 * also survive a restart and to refuse a sudden empty list).
 *
 * <p>Thread-safe; {@link #close()} stops the watch and is idempotent.
 */
public final class Directory implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Directory.class);

    private final ServiceKey key;
    private final Consumer<ServiceInstance> onAdded;
    private volatile List<ServiceInstance> instances;
    private final Watch watch;

    /**
     * Lists then watches {@code key}.
     *
     * @param onAdded told of each instance the registry announces after the start (a new or returning provider)
     * @throws dev.courier.registry.RegistryException if the registry cannot be reached and has nothing cached
     */
    public Directory(Registry registry, ServiceKey key, Consumer<ServiceInstance> onAdded) {
        this.key = key;
        this.onAdded = onAdded;
        this.instances = registry.list(key).instances();
        this.watch = registry.watch(key, this::onEvent);
    }

    private void onEvent(WatchEvent event) {
        if (event.type() == WatchEvent.Type.ADDED && event.instance() != null) {
            onAdded.accept(event.instance());
        }
        List<ServiceInstance> next = event.instances();
        if (log.isDebugEnabled()) {
            log.debug("{}: {} -> {} providers", key, event.type(), next.size());
        }
        instances = next;
    }

    public ServiceKey key() {
        return key;
    }

    /** The providers now known, sorted by id. */
    public List<ServiceInstance> instances() {
        return instances;
    }

    @Override
    public void close() {
        watch.close();
    }
}
