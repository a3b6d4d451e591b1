package dev.courier.registry.internal;

import dev.courier.registry.ServiceInstance;
import dev.courier.registry.ServiceKey;
import dev.courier.registry.ServiceSnapshot;
import dev.courier.registry.WatchEvent;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The registry's deterministic state: instances, the leases they are bound to, the global revision and
 * a bounded history of recent changes for watchers. It has no clock: deciding that a lease expired is
 * the owner's job (the embedded backend's timer, the Raft leader), which then calls {@link #revoke}.
 * Every replica that applies the same operations in the same order reaches the same state.
 *
 * <p>Every change to an instance increments the revision by one. Granting and renewing leases does not.
 *
 * <p>A lease carries the mark of its latest renewal, set by the owner ({@link #renew}; the Raft registry
 * uses the log index of the entry that renewed it). An expiry decided on what a lease looked like is
 * applied only if the mark is unchanged, so a renewal that landed after the decision wins.
 *
 * <p>Not thread-safe: the owner serialises all calls.
 */
public final class RegistryState {

    /** Snapshot format version written first by {@link #writeTo}; format 1 had no renewal marks. */
    static final int SNAPSHOT_FORMAT = 2;

    private final int historyLimit;
    private final Map<ServiceKey, TreeMap<String, Entry>> services = new HashMap<>();
    private final Map<Long, Lease> leases = new HashMap<>();
    /** Per lease, the mark of its latest renewal (see {@link #renew}). */
    private final Map<Long, Long> renewedAt = new HashMap<>();
    private final Deque<Change> history = new ArrayDeque<>();
    private long revision;
    private long historyFloor;
    private long nextLeaseId = 1;
    private int instanceCount;

    /** A lease: its TTL and the instances bound to it. */
    public record Lease(long id, long ttlMillis, Set<InstanceRef> instances) {
    }

    /** Points at one instance. */
    public record InstanceRef(ServiceKey key, String id) {
    }

    private record Entry(ServiceInstance instance, long leaseId) {
    }

    /** A state keeping at most {@code historyLimit} changes for watchers. */
    public RegistryState(int historyLimit) {
        this.historyLimit = historyLimit;
    }

    public long revision() {
        return revision;
    }

    public int instanceCount() {
        return instanceCount;
    }

    /** Grants a new lease of {@code ttlMillis} and returns its id. */
    public long grant(long ttlMillis) {
        long id = nextLeaseId++;
        leases.put(id, new Lease(id, ttlMillis, new LinkedHashSet<>()));
        return id;
    }

    /**
     * Records that lease {@code leaseId} was renewed, with {@code mark} (a value that grows with every
     * renewal, such as a log index).
     *
     * @return whether the lease exists
     */
    public boolean renew(long leaseId, long mark) {
        if (!leases.containsKey(leaseId)) {
            return false;
        }
        renewedAt.put(leaseId, mark);
        return true;
    }

    /** The mark of lease {@code leaseId}'s latest renewal: 0 if it has none, -1 if there is no such lease. */
    public long renewedAt(long leaseId) {
        return leases.containsKey(leaseId) ? renewedAt.getOrDefault(leaseId, 0L) : -1;
    }

    /** Whether lease {@code leaseId} exists. */
    public boolean hasLease(long leaseId) {
        return leases.containsKey(leaseId);
    }

    /** The lease ids with their TTL. */
    public Map<Long, Long> leaseTtls() {
        Map<Long, Long> ttls = new HashMap<>();
        leases.values().forEach(l -> ttls.put(l.id(), l.ttlMillis()));
        return ttls;
    }

    /**
     * Binds {@code instance} to lease {@code leaseId}, replacing an earlier entry with the same id.
     *
     * @return the change, {@code null} if the entry was identical, or throws if the lease is unknown
     * @throws LeaseNotFoundException if the lease does not exist
     */
    public Change put(long leaseId, ServiceInstance instance) {
        Lease lease = leases.get(leaseId);
        if (lease == null) {
            throw new LeaseNotFoundException(leaseId);
        }
        TreeMap<String, Entry> instances = services.computeIfAbsent(instance.key(), k -> new TreeMap<>());
        Entry previous = instances.put(instance.id(), new Entry(instance, leaseId));
        InstanceRef ref = new InstanceRef(instance.key(), instance.id());
        if (previous != null && previous.leaseId() != leaseId) {
            Lease old = leases.get(previous.leaseId());
            if (old != null) {
                old.instances().remove(ref);
            }
        }
        lease.instances().add(ref);
        if (previous == null) {
            instanceCount++;
            return record(WatchEvent.Type.ADDED, instance);
        }
        if (previous.instance().equals(instance)) {
            return null;
        }
        return record(WatchEvent.Type.UPDATED, instance);
    }

    /**
     * Removes instance {@code id} of {@code key} if it is bound to {@code leaseId} (or to any lease when
     * {@code leaseId} is 0). Returns the change, or {@code null} if nothing was removed.
     */
    public Change delete(ServiceKey key, String id, long leaseId) {
        TreeMap<String, Entry> instances = services.get(key);
        Entry entry = instances == null ? null : instances.get(id);
        if (entry == null || (leaseId != 0 && entry.leaseId() != leaseId)) {
            return null;
        }
        return remove(key, id, entry);
    }

    /** Removes lease {@code leaseId} and every instance bound to it; returns the changes. */
    public List<Change> revoke(long leaseId) {
        Lease lease = leases.remove(leaseId);
        renewedAt.remove(leaseId);
        if (lease == null) {
            return List.of();
        }
        List<Change> changes = new ArrayList<>();
        for (InstanceRef ref : lease.instances()) {
            TreeMap<String, Entry> instances = services.get(ref.key());
            Entry entry = instances == null ? null : instances.get(ref.id());
            if (entry != null && entry.leaseId() == leaseId) {
                changes.add(remove(ref.key(), ref.id(), entry));
            }
        }
        return changes;
    }

    /** The current instances of {@code key} at the current revision. */
    public ServiceSnapshot snapshot(ServiceKey key) {
        TreeMap<String, Entry> instances = services.get(key);
        List<ServiceInstance> list = instances == null ? List.of()
                : instances.values().stream().map(Entry::instance).toList();
        return new ServiceSnapshot(key, revision, list);
    }

    /** Every key with at least one instance, sorted by canonical form. */
    public Set<ServiceKey> services() {
        Set<ServiceKey> keys = new TreeSet<>(java.util.Comparator.comparing(ServiceKey::canonical));
        services.forEach((k, v) -> {
            if (!v.isEmpty()) {
                keys.add(k);
            }
        });
        return keys;
    }

    /**
     * The changes to {@code key} with a revision above {@code after}; a reset batch if some of them are
     * no longer retained.
     */
    public ChangeBatch changesSince(ServiceKey key, long after) {
        if (after < historyFloor || after > revision) {
            return ChangeBatch.resetAt(revision);
        }
        List<Change> changes = new ArrayList<>();
        Iterator<Change> it = history.descendingIterator();
        while (it.hasNext()) {
            Change c = it.next();
            if (c.revision() <= after) {
                break;
            }
            if (c.instance().key().equals(key)) {
                changes.add(c);
            }
        }
        java.util.Collections.reverse(changes);
        return new ChangeBatch(revision, changes, false);
    }

    private Change remove(ServiceKey key, String id, Entry entry) {
        TreeMap<String, Entry> instances = services.get(key);
        instances.remove(id);
        if (instances.isEmpty()) {
            services.remove(key);
        }
        instanceCount--;
        Lease lease = leases.get(entry.leaseId());
        if (lease != null) {
            lease.instances().remove(new InstanceRef(key, id));
        }
        return record(WatchEvent.Type.REMOVED, entry.instance());
    }

    private Change record(WatchEvent.Type type, ServiceInstance instance) {
        Change change = new Change(type, ++revision, instance);
        history.addLast(change);
        while (history.size() > historyLimit) {
            historyFloor = history.removeFirst().revision();
        }
        return change;
    }

    /**
     * Writes the state (not the history) in this layout:
     * <pre>
     * int format(=2) long revision long nextLeaseId
     * int leaseCount (long id long ttlMillis long renewedAt)*
     * int instanceCount (long leaseId instance)*
     * </pre>
     */
    public void writeTo(DataOutput out) throws IOException {
        out.writeInt(SNAPSHOT_FORMAT);
        out.writeLong(revision);
        out.writeLong(nextLeaseId);
        out.writeInt(leases.size());
        for (Lease lease : leases.values()) {
            out.writeLong(lease.id());
            out.writeLong(lease.ttlMillis());
            out.writeLong(renewedAt.getOrDefault(lease.id(), 0L));
        }
        out.writeInt(instanceCount);
        for (TreeMap<String, Entry> instances : services.values()) {
            for (Entry e : instances.values()) {
                out.writeLong(e.leaseId());
                InstanceCodec.write(out, e.instance());
            }
        }
    }

    /**
     * Replaces this state with one written by {@link #writeTo} (format 1, without renewal marks, is
     * read with every mark 0); the history starts empty.
     */
    public void readFrom(DataInput in) throws IOException {
        int format = in.readInt();
        if (format != SNAPSHOT_FORMAT && format != 1) {
            throw new IOException("unknown registry snapshot format " + format);
        }
        services.clear();
        leases.clear();
        renewedAt.clear();
        history.clear();
        instanceCount = 0;
        revision = in.readLong();
        historyFloor = revision;
        nextLeaseId = in.readLong();
        int leaseCount = in.readInt();
        for (int i = 0; i < leaseCount; i++) {
            long id = in.readLong();
            leases.put(id, new Lease(id, in.readLong(), new LinkedHashSet<>()));
            long mark = format == 1 ? 0 : in.readLong();
            if (mark != 0) {
                renewedAt.put(id, mark);
            }
        }
        int count = in.readInt();
        for (int i = 0; i < count; i++) {
            long leaseId = in.readLong();
            ServiceInstance instance = InstanceCodec.read(in);
            services.computeIfAbsent(instance.key(), k -> new TreeMap<>()).put(instance.id(), new Entry(instance, leaseId));
            Lease lease = leases.get(leaseId);
            if (lease != null) {
                lease.instances().add(new InstanceRef(instance.key(), instance.id()));
            }
            instanceCount++;
        }
    }
}
