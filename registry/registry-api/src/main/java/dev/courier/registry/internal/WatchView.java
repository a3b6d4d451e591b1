package dev.courier.registry.internal;

import dev.courier.registry.ServiceInstance;
import dev.courier.registry.ServiceKey;
import dev.courier.registry.ServiceSnapshot;
import dev.courier.registry.WatchEvent;

import java.util.List;
import java.util.TreeMap;

/**
 * What one watcher knows about one service; turns snapshots and changes into {@link WatchEvent}s that
 * carry the full list. Not thread-safe: one watch drives it from one step at a time.
 */
public final class WatchView {

    private final ServiceKey key;
    private final TreeMap<String, ServiceInstance> instances = new TreeMap<>();
    private long revision = -1;

    public WatchView(ServiceKey key) {
        this.key = key;
    }

    /** Replaces the view with {@code snapshot}; returns the snapshot event. */
    public WatchEvent reset(ServiceSnapshot snapshot) {
        instances.clear();
        snapshot.instances().forEach(i -> instances.put(i.id(), i));
        revision = snapshot.revision();
        return WatchEvent.snapshot(snapshot);
    }

    /** Applies {@code change}; returns its event, or {@code null} for a change already seen. */
    public WatchEvent apply(Change change) {
        if (change.revision() <= revision) {
            return null;
        }
        revision = change.revision();
        ServiceInstance i = change.instance();
        if (change.type() == WatchEvent.Type.REMOVED) {
            instances.remove(i.id());
        } else {
            instances.put(i.id(), i);
        }
        return new WatchEvent(change.type(), key, revision, i, list());
    }

    /** Applies a change whose type is derived from the view itself (for backends without revisions of their own). */
    public WatchEvent upsert(long newRevision, ServiceInstance instance) {
        ServiceInstance old = instances.get(instance.id());
        if (instance.equals(old)) {
            return null;
        }
        return apply(new Change(old == null ? WatchEvent.Type.ADDED : WatchEvent.Type.UPDATED, newRevision, instance));
    }

    /** Removes {@code id} if known. */
    public WatchEvent removeById(long newRevision, String id) {
        ServiceInstance old = instances.get(id);
        return old == null ? null : apply(new Change(WatchEvent.Type.REMOVED, newRevision, old));
    }

    public long revision() {
        return revision;
    }

    public List<ServiceInstance> list() {
        return List.copyOf(instances.values());
    }
}
