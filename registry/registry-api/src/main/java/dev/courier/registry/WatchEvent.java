package dev.courier.registry;

import java.util.List;
import java.util.Objects;

/**
 * One change to a watched service, or a full snapshot. Immutable and therefore thread-safe.
 *
 * <p>A watch first delivers a {@link Type#SNAPSHOT}; then one event per change in revision order,
 * never repeating or skipping a change it saw. When the watch cannot guarantee that (it fell behind,
 * or the backend lost and regained its connection) it delivers a new {@code SNAPSHOT}, which replaces
 * everything the listener knew. Every event also carries the full list after the change, so a listener
 * may simply use {@link #instances()}.
 *
 * @param type what happened
 * @param revision the revision of the change (or of the snapshot)
 * @param instance the instance added, updated or removed; {@code null} for a snapshot
 * @param instances all instances of the service after this event, sorted by id
 */
public record WatchEvent(
        Type type, ServiceKey key, long revision, ServiceInstance instance, List<ServiceInstance> instances) {

    /** What a {@link WatchEvent} reports. */
    public enum Type {
        /** The full current list; replaces whatever the listener knew. */
        SNAPSHOT,
        /** {@link #instance()} was registered. */
        ADDED,
        /** {@link #instance()} was registered again with other weight, tags or metadata. */
        UPDATED,
        /** {@link #instance()} was deregistered or its lease expired. */
        REMOVED
    }

    public WatchEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(key, "key");
        if ((type == Type.SNAPSHOT) != (instance == null)) {
            throw new IllegalArgumentException("a snapshot has no instance, every change has one");
        }
        instances = List.copyOf(instances);
    }

    /** A snapshot event for {@code snapshot}. */
    public static WatchEvent snapshot(ServiceSnapshot snapshot) {
        return new WatchEvent(Type.SNAPSHOT, snapshot.key(), snapshot.revision(), null, snapshot.instances());
    }
}
