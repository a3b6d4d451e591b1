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
 * <p><b>Coordination.</b> Lock queues hold entries bound to leases, each with a token from one counter
 * that only grows (so every entry has a larger token than all entries before it, in any queue); revoking
 * a lease removes its entries. A queue's version is the value of that counter at its latest change.
 * Counters are named longs. The owner learns which queues an operation changed from
 * {@link #drainChangedQueues()}.
 *
 * <p>Not thread-safe: the owner serialises all calls.
 */
public final class RegistryState {

    /**
     * Snapshot format version written first by {@link #writeTo}; format 1 had no renewal marks, format 2
     * no lock queues or counters.
     */
    static final int SNAPSHOT_FORMAT = 3;

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
    private final Map<String, TreeMap<Long, QueueEntry>> queues = new HashMap<>();
    private final Map<String, Long> queueVersions = new HashMap<>();
    private final Map<String, Long> counters = new HashMap<>();
    private final Set<String> changedQueues = new LinkedHashSet<>();
    private long coordinationRevision;

    /** A lease: its TTL and the instances and lock queue entries bound to it. */
    public record Lease(long id, long ttlMillis, Set<InstanceRef> instances, Set<QueueRef> queued) {

        Lease(long id, long ttlMillis) {
            this(id, ttlMillis, new LinkedHashSet<>(), new LinkedHashSet<>());
        }
    }

    /** Points at one lock queue entry. */
    public record QueueRef(String queue, long token) {}

    private record QueueEntry(long token, long leaseId, String value) {}

    /** Points at one instance. */
    public record InstanceRef(ServiceKey key, String id) {}

    private record Entry(ServiceInstance instance, long leaseId) {}

    /** A state keeping at most {@code historyLimit} changes for watchers. */
    public RegistryState(int historyLimit) {
        this.historyLimit = historyLimit;
    }

    public long revision() {
        return revision;
    }

    /** Leases granted and not yet revoked or expired. */
    public int leaseCount() {
        return leases.size();
    }

    public int instanceCount() {
        return instanceCount;
    }

    /** Grants a new lease of {@code ttlMillis} and returns its id. */
    public long grant(long ttlMillis) {
        long id = nextLeaseId++;
        leases.put(id, new Lease(id, ttlMillis));
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
        for (QueueRef ref : lease.queued()) {
            removeEntry(ref.queue(), ref.token());
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

    /**
     * Appends an entry with {@code value} to lock queue {@code queue}, bound to lease {@code leaseId}.
     *
     * @return the entry's token
     * @throws LeaseNotFoundException if the lease does not exist
     */
    public long enqueue(long leaseId, String queue, String value) {
        Lease lease = leases.get(leaseId);
        if (lease == null) {
            throw new LeaseNotFoundException(leaseId);
        }
        long token = ++coordinationRevision;
        queues.computeIfAbsent(queue, q -> new TreeMap<>()).put(token, new QueueEntry(token, leaseId, value));
        lease.queued().add(new QueueRef(queue, token));
        queueVersions.put(queue, token);
        changedQueues.add(queue);
        return token;
    }

    /** Removes the entry with {@code token} from {@code queue}; whether there was one. */
    public boolean dequeue(String queue, long token) {
        QueueEntry entry = removeEntry(queue, token);
        if (entry == null) {
            return false;
        }
        Lease lease = leases.get(entry.leaseId());
        if (lease != null) {
            lease.queued().remove(new QueueRef(queue, token));
        }
        return true;
    }

    private QueueEntry removeEntry(String queue, long token) {
        TreeMap<Long, QueueEntry> entries = queues.get(queue);
        QueueEntry entry = entries == null ? null : entries.remove(token);
        if (entry == null) {
            return null;
        }
        if (entries.isEmpty()) {
            queues.remove(queue);
            queueVersions.remove(queue);
        } else {
            queueVersions.put(queue, ++coordinationRevision);
        }
        changedQueues.add(queue);
        return entry;
    }

    /** Lock queue {@code queue}, head first (version 0 and no entries when it has none). */
    public dev.courier.registry.coordination.QueueView queue(String queue) {
        TreeMap<Long, QueueEntry> entries = queues.get(queue);
        if (entries == null) {
            return new dev.courier.registry.coordination.QueueView(0, List.of());
        }
        return new dev.courier.registry.coordination.QueueView(
                queueVersions.get(queue),
                entries.values().stream()
                        .map(e -> new dev.courier.registry.coordination.QueueView.Entry(e.token(), e.value()))
                        .toList());
    }

    /** The current version of lock queue {@code queue} (0 when it has no entries). */
    public long queueVersion(String queue) {
        return queueVersions.getOrDefault(queue, 0L);
    }

    /** The lock queues changed since the last call, in the order first changed; clears the set. */
    public List<String> drainChangedQueues() {
        if (changedQueues.isEmpty()) {
            return List.of();
        }
        List<String> changed = new ArrayList<>(changedQueues);
        changedQueues.clear();
        return changed;
    }

    /** Adds {@code delta} to counter {@code counter}; returns the new value. */
    public long addAndGet(String counter, long delta) {
        long value = counters.getOrDefault(counter, 0L) + delta;
        counters.put(counter, value);
        return value;
    }

    /** The current instances of {@code key} at the current revision. */
    public ServiceSnapshot snapshot(ServiceKey key) {
        TreeMap<String, Entry> instances = services.get(key);
        List<ServiceInstance> list = instances == null
                ? List.of()
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

    /** The batches of the keys in {@code afters} that have changes (or must be listed again). */
    public Map<ServiceKey, ChangeBatch> changesSince(Map<ServiceKey, Long> afters) {
        Map<ServiceKey, ChangeBatch> batches = new HashMap<>();
        afters.forEach((key, after) -> {
            ChangeBatch batch = changesSince(key, after);
            if (batch.reset() || !batch.changes().isEmpty()) {
                batches.put(key, batch);
            }
        });
        return batches;
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
     * long coordinationRevision
     * int queueCount (utf name long version int entryCount (long token long leaseId utf value)*)*
     * int counterCount (utf name long value)*
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
        out.writeLong(coordinationRevision);
        out.writeInt(queues.size());
        for (Map.Entry<String, TreeMap<Long, QueueEntry>> q : queues.entrySet()) {
            out.writeUTF(q.getKey());
            out.writeLong(queueVersions.get(q.getKey()));
            out.writeInt(q.getValue().size());
            for (QueueEntry e : q.getValue().values()) {
                out.writeLong(e.token());
                out.writeLong(e.leaseId());
                out.writeUTF(e.value());
            }
        }
        out.writeInt(counters.size());
        for (Map.Entry<String, Long> c : counters.entrySet()) {
            out.writeUTF(c.getKey());
            out.writeLong(c.getValue());
        }
    }

    /**
     * Replaces this state with one written by {@link #writeTo} (format 1, without renewal marks, is
     * read with every mark 0; formats 1 and 2 have no lock queues or counters); the history starts empty.
     */
    public void readFrom(DataInput in) throws IOException {
        int format = in.readInt();
        if (format < 1 || format > SNAPSHOT_FORMAT) {
            throw new IOException("unknown registry snapshot format " + format);
        }
        services.clear();
        leases.clear();
        renewedAt.clear();
        history.clear();
        queues.clear();
        queueVersions.clear();
        counters.clear();
        changedQueues.clear();
        coordinationRevision = 0;
        instanceCount = 0;
        revision = in.readLong();
        historyFloor = revision;
        nextLeaseId = in.readLong();
        int leaseCount = in.readInt();
        for (int i = 0; i < leaseCount; i++) {
            long id = in.readLong();
            leases.put(id, new Lease(id, in.readLong()));
            long mark = format == 1 ? 0 : in.readLong();
            if (mark != 0) {
                renewedAt.put(id, mark);
            }
        }
        int count = in.readInt();
        for (int i = 0; i < count; i++) {
            long leaseId = in.readLong();
            ServiceInstance instance = InstanceCodec.read(in);
            services.computeIfAbsent(instance.key(), k -> new TreeMap<>())
                    .put(instance.id(), new Entry(instance, leaseId));
            Lease lease = leases.get(leaseId);
            if (lease != null) {
                lease.instances().add(new InstanceRef(instance.key(), instance.id()));
            }
            instanceCount++;
        }
        if (format >= 3) {
            readCoordination(in);
        }
    }

    private void readCoordination(DataInput in) throws IOException {
        coordinationRevision = in.readLong();
        int queueCount = in.readInt();
        for (int i = 0; i < queueCount; i++) {
            String queue = in.readUTF();
            queueVersions.put(queue, in.readLong());
            int entryCount = in.readInt();
            TreeMap<Long, QueueEntry> entries = new TreeMap<>();
            for (int j = 0; j < entryCount; j++) {
                QueueEntry e = new QueueEntry(in.readLong(), in.readLong(), in.readUTF());
                entries.put(e.token(), e);
                Lease lease = leases.get(e.leaseId());
                if (lease != null) {
                    lease.queued().add(new QueueRef(queue, e.token()));
                }
            }
            if (!entries.isEmpty()) {
                queues.put(queue, entries);
            }
        }
        int counterCount = in.readInt();
        for (int i = 0; i < counterCount; i++) {
            counters.put(in.readUTF(), in.readLong());
        }
        // every queue changed as far as a waiter on the state before this one can tell
        changedQueues.addAll(queueVersions.keySet());
    }
}
