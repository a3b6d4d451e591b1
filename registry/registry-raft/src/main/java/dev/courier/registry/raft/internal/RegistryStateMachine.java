package dev.courier.registry.raft.internal;

import dev.courier.registry.ServiceKey;
import dev.courier.registry.ServiceSnapshot;
import dev.courier.registry.internal.Change;
import dev.courier.registry.internal.ChangeBatch;
import dev.courier.registry.internal.InstanceCodec;
import dev.courier.registry.internal.LeaseNotFoundException;
import dev.courier.registry.internal.ParkedQueries;
import dev.courier.registry.internal.RegistryState;
import dev.courier.registry.raft.RegistryAccess;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The registry as a Ratis state machine: a {@link RegistryState} changed only by committed log entries.
 *
 * <p><b>Leases.</b> Each replica remembers, in memory only, when it last applied a grant, renewal or put
 * for each lease. Only the leader acts on it: every 100 ms it submits an {@code EXPIRE} entry for each
 * lease not renewed within its TTL, so expiry is decided once and replicated like any change (as etcd
 * does). The decision is fenced: the entry carries the lease's renewal mark (the log index of the
 * entry that last renewed it) and the leader's term, and is applied only if the lease was not renewed
 * since and the entry was appended in that same term. So a deposed or paused leader, or one whose
 * apply lags a renewal already in the log, removes nothing live.
 *
 * <p>A replica that becomes leader keeps the renewal times it applied as a follower, and gives each
 * lease up to {@value #LEADER_CHANGE_GRACE_MILLIS} ms more (for renewals the election held up), but
 * never beyond its TTL plus that grace after its last renewal: however often the leader changes, a
 * crashed provider is gone within its TTL, the grace and the time to elect a leader that stays.
 *
 * <p>The log carries no clock, so a member that replays it after a restart would take every lease for
 * renewed at the replay. To bound that, the leader writes a {@code CHECKPOINT} entry every
 * {@value #CHECKPOINT_EVERY_MILLIS} ms while any lease has gone unrenewed for more than half its TTL:
 * for each such lease, its renewal mark and how long it has been silent (etcd's lease checkpoints). A
 * replica applying it, live or in a replay, dates the lease's last renewal back by that much, unless it
 * was renewed since; a snapshot records the same for every lease. So a crashed provider is gone within
 * its TTL plus a second or so after a restart too, not a whole TTL after it.
 *
 * <p><b>Watches.</b> A {@code CHANGES} query with nothing new is parked until a change to its service is
 * applied or its wait elapses (a long poll); so is a {@code QUEUE_CHANGES} query until its lock queue
 * changes.
 *
 * <p><b>Snapshots</b> are one file written by {@link #takeSnapshot()} (the {@link RegistryState#writeTo}
 * layout, with an MD5 file beside it). {@link #pause()} and {@link #reinitialize()} let Ratis install a
 * snapshot sent by the leader.
 *
 * <p>Thread-safe: the state is guarded by {@code this}.
 */
public final class RegistryStateMachine extends BaseStateMachine {

    private static final Logger log = LoggerFactory.getLogger(RegistryStateMachine.class);
    private static final long EXPIRY_CHECK_MILLIS = 100;
    public static final long LEADER_CHANGE_GRACE_MILLIS = 1000;
    static final long CHECKPOINT_EVERY_MILLIS = 1000;
    /** The most leases one {@code CHECKPOINT} entry records (the longest silent are not preferred). */
    static final int MAX_CHECKPOINT_LEASES = 4096;
    /** Marks the lease silences a snapshot file holds after the state. */
    private static final int SNAPSHOT_SILENCES = 0x53494c31;
    /** Reply status of an {@code EXPIRE} refused by its fence. */
    public static final int EXPIRY_REFUSED = 2;

    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final RegistryState state = new RegistryState(100_000);
    private final Map<Long, Long> lastRenewNanos = new HashMap<>();
    private final Map<Long, Long> expirySubmittedNanos = new HashMap<>();
    /** The silence the last {@code CHECKPOINT} applied here recorded, per lease: for tests. */
    private final Map<Long, Long> checkpointedSilenceMillis = new HashMap<>();

    private long lastCheckpointNanos;
    /** The clock leases are timed by (monotonic nanoseconds); tests move it. */
    private volatile java.util.function.LongSupplier clock = System::nanoTime;
    /** Set when this replica became leader: a lease is not expired before this time. */
    private final Map<Long, Long> graceUntilNanos = new HashMap<>();
    /** Parked {@code CHANGES} queries, by service. */
    private final ParkedQueries<ServiceKey, Message> keyWaits;
    /** Parked {@code CHANGES_MULTI} queries (watch streams), by the services they watch. */
    private final ParkedQueries<java.util.Set<ServiceKey>, Message> streamWaits;
    /** Parked {@code QUEUE_CHANGES} queries. */
    private final ParkedQueries<QueueAt, Message> queueWaits;

    private final java.util.concurrent.ScheduledThreadPoolExecutor timer;
    private final java.util.concurrent.ExecutorService replies = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "courier-raft-registry-reply");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean leader;
    private final java.util.concurrent.atomic.AtomicInteger installed = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong expiriesRefused = new java.util.concurrent.atomic.AtomicLong();
    private volatile Consumer<Message> expirySubmitter = m -> {};
    private final java.util.concurrent.atomic.AtomicLong expiriesSubmitted =
            new java.util.concurrent.atomic.AtomicLong();
    /** Runs with each entry's opcode before it is applied, with no lock held: a seam for fault tests. */
    private volatile java.util.function.IntConsumer beforeApply = op -> {};

    private volatile java.util.function.LongConsumer applyObserver = nanos -> {};

    private volatile RegistryAccess access = RegistryAccess.open();
    /** What this member's own expiry entries carry: only the leader's own are accepted. */
    private final String memberSecret = newSecret();

    /** A lock queue as a parked query last saw it. */
    private record QueueAt(String queue, long version) {}

    public RegistryStateMachine() {
        timer = new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "courier-raft-registry-timer");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true); // an answered long poll leaves no timeout task behind
        // answers go out on the reply pool: off the lock, and off the apply thread (sending a hundred
        // replies must not delay the next entry)
        keyWaits = new ParkedQueries<>(this, timer, replies);
        streamWaits = new ParkedQueries<>(this, timer, replies);
        queueWaits = new ParkedQueries<>(this, timer, replies);
    }

    /**
     * Sets the clock leases are timed by: monotonic nanoseconds, as {@link System#nanoTime()} (the
     * default). Set before the member starts; tests move it to age leases without waiting.
     */
    public void setClock(java.util.function.LongSupplier nanoTime) {
        this.clock = java.util.Objects.requireNonNull(nanoTime, "nanoTime");
    }

    /** Sets who may write and read; see {@link RegistryAccess}. */
    public void setAccess(RegistryAccess access) {
        this.access = java.util.Objects.requireNonNull(access, "access");
    }

    /** The credential this member's own {@code EXPIRE} entries must carry. */
    public String memberSecret() {
        return memberSecret;
    }

    private static String newSecret() {
        byte[] bytes = new byte[24];
        new java.security.SecureRandom().nextBytes(bytes);
        return java.util.HexFormat.of().formatHex(bytes);
    }

    /**
     * On the leader, before a write enters the log: checks the caller's credentials and takes them off
     * the entry. A refused write fails with an exception whose message starts with {@link Command#DENIED}
     * and is never appended.
     */
    @Override
    public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
        Command.Envelope envelope;
        String refusal;
        try {
            envelope = Command.Envelope.open(request.getMessage().getContent());
            refusal = writeRefusal(envelope);
        } catch (IOException e) {
            envelope = new Command.Envelope(null, request.getMessage().getContent());
            refusal = "unreadable credentials: " + e.getMessage();
        }
        TransactionContext trx = TransactionContext.newBuilder()
                .setStateMachine(this)
                .setClientRequest(request)
                .setLogData(envelope.body())
                .build();
        if (refusal != null) {
            trx.setException(new IOException(Command.DENIED + refusal));
        }
        return trx;
    }

    private String writeRefusal(Command.Envelope envelope) {
        if (envelope.opcode() == Command.EXPIRE || envelope.opcode() == Command.CHECKPOINT) {
            // a lease is expired (and its silence recorded) by the leader's own clock alone, never by a client's say-so
            return memberSecret.equals(envelope.token()) ? null : "only the leader expires leases";
        }
        return refusal(envelope, true);
    }

    private String readRefusal(Command.Envelope envelope) {
        return refusal(envelope, false);
    }

    /** Why the caller of {@code envelope} may not write (or read), or null when it may. */
    private String refusal(Command.Envelope envelope, boolean write) {
        RegistryAccess rules = access;
        if (!rules.enabled()) {
            return null;
        }
        String principal = rules.principal(envelope.token());
        if (envelope.token() != null && principal == null) {
            return "the token is not known to this registry";
        }
        if (write) {
            return rules.mayWrite(principal) ? null : who(principal) + " may not write to the registry";
        }
        return rules.mayRead(principal) ? null : who(principal) + " may not read the registry";
    }

    private static String who(String principal) {
        return principal == null ? "An anonymous caller" : "Principal '" + principal + "'";
    }

    /** Sets how the leader submits an {@code EXPIRE} entry (through a client of its own group). */
    public void setExpirySubmitter(Consumer<Message> submitter) {
        this.expirySubmitter = submitter;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        LifeCycle lifeCycle = getLifeCycle();
        lifeCycle.transition(LifeCycle.State.STARTING);
        load(storage.getLatestSnapshot());
        lifeCycle.transition(LifeCycle.State.RUNNING);
        synchronized (this) {
            lastCheckpointNanos = clock.getAsLong();
        }
        timer.scheduleWithFixedDelay(
                this::checkExpiry, EXPIRY_CHECK_MILLIS, EXPIRY_CHECK_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public SimpleStateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public void pause() {
        LifeCycle lifeCycle = getLifeCycle();
        if (lifeCycle.getCurrentState() == LifeCycle.State.RUNNING) {
            lifeCycle.transition(LifeCycle.State.PAUSING);
            lifeCycle.transition(LifeCycle.State.PAUSED);
        }
    }

    @Override
    public void reinitialize() throws IOException {
        installed.incrementAndGet();
        load(storage.loadLatestSnapshot());
        LifeCycle lifeCycle = getLifeCycle();
        if (lifeCycle.getCurrentState() == LifeCycle.State.PAUSED) {
            lifeCycle.transition(LifeCycle.State.STARTING);
            lifeCycle.transition(LifeCycle.State.RUNNING);
        }
    }

    private synchronized void load(SingleFileSnapshotInfo snapshot) throws IOException {
        if (snapshot == null) {
            return;
        }
        File file = snapshot.getFile().getPath().toFile();
        if (!file.exists()) {
            log.warn("snapshot file {} is missing", file);
            return;
        }
        MD5Hash md5 = snapshot.getFile().getFileDigest();
        if (md5 != null) {
            MD5FileUtil.verifySavedMD5(file, md5);
        }
        TermIndex last = SimpleStateMachineStorage.getTermIndexFromSnapshotFile(file);
        Map<Long, Long> silences = new HashMap<>();
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file.toPath())))) {
            state.readFrom(in);
            readSilences(in, silences);
        }
        long now = clock.getAsLong();
        lastRenewNanos.clear();
        checkpointedSilenceMillis.clear();
        state.leaseTtls()
                .keySet()
                .forEach(id ->
                        lastRenewNanos.put(id, now - TimeUnit.MILLISECONDS.toNanos(silences.getOrDefault(id, 0L))));
        updateLastAppliedTermIndex(last);
        wakeAll();
        log.info(
                "loaded registry snapshot {} (revision {}, {} instances)",
                last,
                state.revision(),
                state.instanceCount());
    }

    /**
     * Copies the state under the lock, then writes it with no lock held: to a temporary file that is
     * forced, renamed into place, given its (forced) MD5 file, and made durable with a sync of the
     * directory. Ratis purges the log up to the returned index only after this returns.
     */
    @Override
    public long takeSnapshot() throws IOException {
        TermIndex last;
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(4096);
        synchronized (this) {
            last = getLastAppliedTermIndex();
            if (last == null || last.getIndex() < 0) {
                return -1;
            }
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(bytes))) {
                state.writeTo(out);
                writeSilences(out);
            }
        }
        File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
        java.nio.file.Path tmp = file.toPath().resolveSibling(file.getName() + ".tmp");
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(
                tmp,
                java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.TRUNCATE_EXISTING,
                java.nio.file.StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes.toByteArray());
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        Files.move(
                tmp,
                file.toPath(),
                java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(file); // written to a temporary file, synced, renamed
        syncDirectory(file.toPath().getParent());
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), last));
        return last.getIndex();
    }

    /**
     * After the state: {@code int SNAPSHOT_SILENCES int count (long leaseId long silentMillis)*}, how long
     * each lease had gone unrenewed when the snapshot was taken. Caller holds the lock.
     */
    private void writeSilences(DataOutputStream out) throws IOException {
        long now = clock.getAsLong();
        Map<Long, Long> ttls = state.leaseTtls();
        out.writeInt(SNAPSHOT_SILENCES);
        out.writeInt(ttls.size());
        for (Long id : ttls.keySet()) {
            out.writeLong(id);
            out.writeLong(Math.max(0, TimeUnit.NANOSECONDS.toMillis(now - lastRenewNanos.getOrDefault(id, now))));
        }
    }

    /** Reads what {@link #writeSilences} wrote, if the snapshot has it (older ones end with the state). */
    private static void readSilences(DataInputStream in, Map<Long, Long> silences) throws IOException {
        int marker;
        try {
            marker = in.readInt();
        } catch (java.io.EOFException e) {
            return;
        }
        if (marker != SNAPSHOT_SILENCES) {
            throw new IOException("unexpected data after the registry state in the snapshot");
        }
        int count = in.readInt();
        for (int i = 0; i < count; i++) {
            silences.put(in.readLong(), Math.max(0, in.readLong()));
        }
    }

    private static void syncDirectory(java.nio.file.Path dir) throws IOException {
        try (java.nio.channels.FileChannel channel =
                java.nio.channels.FileChannel.open(dir, java.nio.file.StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        TermIndex termIndex = TermIndex.valueOf(entry);
        try {
            DataInputStream in = new DataInputStream(
                    entry.getStateMachineLogEntry().getLogData().newInput());
            byte op = in.readByte();
            beforeApply.accept(op);
            Message reply;
            long start = System.nanoTime();
            synchronized (this) {
                try {
                    reply = apply(op, in, termIndex);
                } finally {
                    wakeQueues();
                }
                updateLastAppliedTermIndex(termIndex);
            }
            applyObserver.accept(System.nanoTime() - start);
            return CompletableFuture.completedFuture(reply);
        } catch (IOException | RuntimeException e) {
            synchronized (this) {
                updateLastAppliedTermIndex(termIndex);
            }
            log.error("cannot apply log entry {}", termIndex, e);
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Applies one write; replies are a status byte (0 = ok, 1 = lease not found, {@link #EXPIRY_REFUSED})
     * and maybe a long.
     */
    private Message apply(byte op, DataInputStream in, TermIndex at) throws IOException {
        long now = clock.getAsLong();
        switch (op) {
            case Command.GRANT -> {
                long id = state.grant(in.readLong());
                state.renew(id, at.getIndex());
                renewed(id, now);
                return reply(0, id);
            }
            case Command.KEEPALIVE -> {
                long id = in.readLong();
                if (!state.renew(id, at.getIndex())) {
                    return reply(1, 0);
                }
                renewed(id, now);
                return reply(0, 0);
            }
            case Command.PUT -> {
                long id = in.readLong();
                try {
                    Change c = state.put(id, InstanceCodec.read(in));
                    state.renew(id, at.getIndex());
                    renewed(id, now);
                    if (c != null) {
                        wake(c.instance().key());
                    }
                    return reply(0, state.revision());
                } catch (LeaseNotFoundException e) {
                    return reply(1, 0);
                }
            }
            case Command.DELETE -> {
                long id = in.readLong();
                ServiceKey key = InstanceCodec.readKey(in);
                Change c = state.delete(key, in.readUTF(), id);
                if (c != null) {
                    wake(key);
                }
                return reply(0, state.revision());
            }
            case Command.REVOKE, Command.EXPIRE -> {
                long id = in.readLong();
                if (op == Command.EXPIRE && in.available() >= 2 * Long.BYTES) {
                    String refusal = expiryRefusal(id, in.readLong(), in.readLong(), at.getTerm());
                    if (refusal != null) {
                        expirySubmittedNanos.remove(id);
                        expiriesRefused.incrementAndGet();
                        log.info("expiry of lease {} refused: {}", id, refusal);
                        return reply(EXPIRY_REFUSED, state.revision());
                    }
                }
                lastRenewNanos.remove(id);
                graceUntilNanos.remove(id);
                expirySubmittedNanos.remove(id);
                checkpointedSilenceMillis.remove(id);
                List<Change> changes = state.revoke(id);
                if (op == Command.EXPIRE && !changes.isEmpty()) {
                    log.info("lease {} expired; removed {} instance(s)", id, changes.size());
                }
                changes.forEach(c -> wake(c.instance().key()));
                return reply(0, state.revision());
            }
            case Command.ENQUEUE -> {
                long id = in.readLong();
                String queue =
                        checked(in.readUTF(), dev.courier.registry.coordination.CoordinationBackend.MAX_NAME_LENGTH);
                String value =
                        checked(in.readUTF(), dev.courier.registry.coordination.CoordinationBackend.MAX_VALUE_LENGTH);
                try {
                    long token = state.enqueue(id, queue, value);
                    state.renew(id, at.getIndex());
                    renewed(id, now);
                    return reply(0, token);
                } catch (LeaseNotFoundException e) {
                    return reply(1, 0);
                }
            }
            case Command.DEQUEUE -> {
                state.dequeue(in.readUTF(), in.readLong());
                return reply(0, 0);
            }
            case Command.CHECKPOINT -> {
                applyCheckpoint(in, at, now);
                return reply(0, state.revision());
            }
            case Command.ADD -> {
                String counter =
                        checked(in.readUTF(), dev.courier.registry.coordination.CoordinationBackend.MAX_NAME_LENGTH);
                return reply(0, state.addAndGet(counter, in.readLong()));
            }
            default -> throw new IOException("unknown registry command " + op);
        }
    }

    /**
     * Dates back the last renewal of each lease a {@code CHECKPOINT} names, unless it was renewed since
     * (its mark moved) or the entry was not appended in the term of the leader that wrote it.
     */
    private void applyCheckpoint(DataInputStream in, TermIndex at, long now) throws IOException {
        long term = in.readLong();
        int count = in.readInt();
        if (count < 0 || (long) count * Command.CHECKPOINT_LEASE_BYTES > in.available()) {
            throw new IOException("a checkpoint of " + count + " leases in " + in.available() + " bytes");
        }
        for (int i = 0; i < count; i++) {
            long id = in.readLong();
            long mark = in.readLong();
            long silentMillis = in.readLong();
            if (term == at.getTerm() && mark >= 0 && silentMillis > 0 && state.renewedAt(id) == mark) {
                long then = now - TimeUnit.MILLISECONDS.toNanos(silentMillis);
                lastRenewNanos.merge(id, then, (a, b) -> a - b <= 0 ? a : b);
                checkpointedSilenceMillis.put(id, silentMillis);
            }
        }
    }

    private static String checked(String s, int maxLength) throws IOException {
        if (s.length() > maxLength) {
            throw new IOException("a coordination name or value is longer than " + maxLength + " characters");
        }
        return s;
    }

    private void renewed(long leaseId, long now) {
        lastRenewNanos.put(leaseId, now);
        graceUntilNanos.remove(leaseId);
        checkpointedSilenceMillis.remove(leaseId);
    }

    /** Why an expiry decided on renewal mark {@code renewedAt} in {@code term} may not apply, or null. */
    private String expiryRefusal(long leaseId, long renewedAt, long term, long entryTerm) {
        if (term != entryTerm) {
            return "decided in term " + term + " but appended in term " + entryTerm;
        }
        long now = state.renewedAt(leaseId);
        if (now >= 0 && now != renewedAt) {
            return "renewed at index " + now + " after the decision (which saw index " + renewedAt + ")";
        }
        return null;
    }

    private static Message reply(int status, long value) {
        return Command.of((byte) status, out -> out.writeLong(value));
    }

    @Override
    public CompletableFuture<Message> query(Message request) {
        try {
            Command.Envelope envelope = Command.Envelope.open(request.getContent());
            String refusal = readRefusal(envelope);
            if (refusal != null) {
                // a StateMachineException is answered as the query's outcome; any other failure is a failed
                // RPC, which the client retries until its failover budget runs out
                return CompletableFuture.failedFuture(new StateMachineException(Command.DENIED + refusal));
            }
            DataInputStream in = new DataInputStream(envelope.body().newInput());
            byte op = in.readByte();
            synchronized (this) {
                switch (op) {
                    case Command.SNAPSHOT -> {
                        return CompletableFuture.completedFuture(
                                encodeSnapshot(state.snapshot(InstanceCodec.readKey(in))));
                    }
                    case Command.SERVICES -> {
                        List<ServiceKey> keys = new ArrayList<>(state.services());
                        return CompletableFuture.completedFuture(Command.of((byte) 0, out -> {
                            out.writeInt(keys.size());
                            for (ServiceKey k : keys) {
                                InstanceCodec.writeKey(out, k);
                            }
                        }));
                    }
                    case Command.STATUS -> {
                        long count = state.instanceCount();
                        long revision = state.revision();
                        return CompletableFuture.completedFuture(Command.of((byte) 0, out -> {
                            out.writeLong(count);
                            out.writeLong(revision);
                        }));
                    }
                    case Command.CHANGES_MULTI -> {
                        int count = in.readInt();
                        if (count < 0
                                || count > dev.courier.registry.internal.LeaseBackend.MAX_WATCHED_KEYS
                                || count > in.available() / Command.MIN_WATCHED_KEY_BYTES) {
                            throw new IOException("watch stream of " + count + " services out of range for the "
                                    + in.available() + " bytes that follow");
                        }
                        Map<ServiceKey, Long> afters = new HashMap<>();
                        for (int i = 0; i < count; i++) {
                            afters.put(InstanceCodec.readKey(in), in.readLong());
                        }
                        long maxWait = in.readLong();
                        Map<ServiceKey, ChangeBatch> batches = state.changesSince(afters);
                        if (!batches.isEmpty()) {
                            return CompletableFuture.completedFuture(RaftCodec.encodeBatches(batches));
                        }
                        return streamWaits.park(
                                afters.keySet(), () -> RaftCodec.encodeBatches(state.changesSince(afters)), maxWait);
                    }
                    case Command.QUEUE -> {
                        return CompletableFuture.completedFuture(RaftCodec.encodeQueue(state.queue(in.readUTF())));
                    }
                    case Command.QUEUE_CHANGES -> {
                        String queue = in.readUTF();
                        long version = in.readLong();
                        long maxWait = in.readLong();
                        if (state.queueVersion(queue) != version) {
                            return CompletableFuture.completedFuture(RaftCodec.encodeQueue(state.queue(queue)));
                        }
                        return queueWaits.park(
                                new QueueAt(queue, version), () -> RaftCodec.encodeQueue(state.queue(queue)), maxWait);
                    }
                    case Command.CHANGES -> {
                        ServiceKey key = InstanceCodec.readKey(in);
                        long after = in.readLong();
                        long maxWait = in.readLong();
                        ChangeBatch batch = state.changesSince(key, after);
                        if (batch.reset() || !batch.changes().isEmpty()) {
                            return CompletableFuture.completedFuture(RaftCodec.encodeBatch(batch));
                        }
                        return keyWaits.park(key, () -> RaftCodec.encodeBatch(state.changesSince(key, after)), maxWait);
                    }
                    default -> throw new IOException("unknown registry query " + op);
                }
            }
        } catch (IOException | RuntimeException e) {
            // the query itself is bad (corrupt, unknown): asking again would fail again
            return CompletableFuture.failedFuture(new StateMachineException("registry query failed: " + e, e));
        }
    }

    private static Message encodeSnapshot(ServiceSnapshot s) {
        return Command.of((byte) 0, out -> {
            out.writeLong(s.revision());
            out.writeInt(s.size());
            for (var i : s.instances()) {
                InstanceCodec.write(out, i);
            }
        });
    }

    /** Completes the parked queries on {@code key}. Caller holds the lock. */
    private void wake(ServiceKey key) {
        streamWaits.wake(keys -> keys.contains(key));
        keyWaits.wake(key::equals);
    }

    /** Completes the parked queries on lock queues that changed. Caller holds the lock. */
    private void wakeQueues() {
        if (!state.drainChangedQueues().isEmpty()) {
            queueWaits.wake(at -> state.queueVersion(at.queue()) != at.version());
        }
    }

    private void wakeAll() {
        state.drainChangedQueues();
        streamWaits.wakeAll();
        queueWaits.wakeAll();
        keyWaits.wakeAll();
    }

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
        boolean nowLeader = groupMemberId.getPeerId().equals(newLeaderId);
        synchronized (this) {
            if (nowLeader && !leader) {
                long now = clock.getAsLong();
                long grace = TimeUnit.MILLISECONDS.toNanos(LEADER_CHANGE_GRACE_MILLIS);
                graceUntilNanos.clear();
                state.leaseTtls().forEach((id, ttl) -> {
                    long due = lastRenewNanos.computeIfAbsent(id, k -> now) + TimeUnit.MILLISECONDS.toNanos(ttl);
                    long until = Math.min(now + grace, due + grace);
                    if (until - due > 0) {
                        graceUntilNanos.put(id, until);
                    }
                });
                expirySubmittedNanos.clear();
            }
            leader = nowLeader;
        }
    }

    private void checkExpiry() {
        if (!leader) {
            return;
        }
        long term;
        try {
            org.apache.ratis.server.DivisionInfo info =
                    getServer().join().getDivision(getGroupId()).getInfo();
            term = info.getCurrentTerm();
            if (!info.isLeader()) {
                return;
            }
        } catch (IOException | RuntimeException e) {
            return; // closing
        }
        List<Message> expired = new ArrayList<>();
        Message checkpoint = null;
        synchronized (this) {
            long now = clock.getAsLong();
            Map<Long, Long> ttls = state.leaseTtls();
            if (now - lastCheckpointNanos >= TimeUnit.MILLISECONDS.toNanos(CHECKPOINT_EVERY_MILLIS)) {
                lastCheckpointNanos = now;
                checkpoint = checkpoint(term, now, ttls);
            }
            for (Map.Entry<Long, Long> e : ttls.entrySet()) {
                long id = e.getKey();
                long last = lastRenewNanos.getOrDefault(id, now);
                Long submitted = expirySubmittedNanos.get(id);
                Long grace = graceUntilNanos.get(id);
                if (now - last > TimeUnit.MILLISECONDS.toNanos(e.getValue())
                        && (grace == null || now - grace > 0)
                        && (submitted == null || now - submitted > TimeUnit.SECONDS.toNanos(1))) {
                    expirySubmittedNanos.put(id, now);
                    expired.add(Command.expire(id, state.renewedAt(id), term));
                    log.info(
                            "lease {} not renewed for {} ms (TTL {} ms): expiring it in term {}",
                            id,
                            TimeUnit.NANOSECONDS.toMillis(now - last),
                            e.getValue(),
                            term);
                }
            }
        }
        for (Message m : expired) {
            try {
                expiriesSubmitted.incrementAndGet();
                expirySubmitter.accept(m);
            } catch (RuntimeException e) {
                log.warn("could not submit a lease expiry", e);
            }
        }
        if (checkpoint != null) {
            try {
                expirySubmitter.accept(checkpoint);
            } catch (RuntimeException e) {
                log.warn("could not submit a lease checkpoint", e);
            }
        }
    }

    /**
     * A {@code CHECKPOINT} of the leases silent for over half their TTL, or null when there is none. Holds the lock.
     */
    private Message checkpoint(long term, long now, Map<Long, Long> ttls) {
        List<long[]> silent = new ArrayList<>();
        for (Map.Entry<Long, Long> e : ttls.entrySet()) {
            long silentNanos = now - lastRenewNanos.getOrDefault(e.getKey(), now);
            if (silentNanos > TimeUnit.MILLISECONDS.toNanos(e.getValue()) / 2
                    && silent.size() < MAX_CHECKPOINT_LEASES) {
                silent.add(
                        new long[] {e.getKey(), state.renewedAt(e.getKey()), TimeUnit.NANOSECONDS.toMillis(silentNanos)
                        });
            }
        }
        return silent.isEmpty() ? null : Command.checkpoint(term, silent);
    }

    /** How long this replica has seen lease {@code leaseId} go unrenewed, in ms; -1 when there is no such lease. */
    public synchronized long silentMillis(long leaseId) {
        if (!state.hasLease(leaseId)) {
            return -1;
        }
        long now = clock.getAsLong();
        return TimeUnit.NANOSECONDS.toMillis(now - lastRenewNanos.getOrDefault(leaseId, now));
    }

    /** The silence of lease {@code leaseId} the last {@code CHECKPOINT} applied here recorded, in ms; -1 when none. */
    public synchronized long checkpointedSilenceMillis(long leaseId) {
        return checkpointedSilenceMillis.getOrDefault(leaseId, -1L);
    }

    /** How many timeouts of parked queries wait on this replica's timer. */
    public long queryTimeoutsPending() {
        return timer.getQueue().stream()
                .filter(r -> r instanceof java.util.concurrent.RunnableScheduledFuture<?> f && !f.isPeriodic())
                .count();
    }

    /** How many {@code CHANGES} and {@code CHANGES_MULTI} queries are parked here. */
    public synchronized int parkedQueries() {
        return keyWaits.size() + streamWaits.size();
    }

    /** How many {@code EXPIRE} entries this replica has submitted as leader. */
    public long expiriesSubmitted() {
        return expiriesSubmitted.get();
    }

    /** The renewal mark of lease {@code leaseId} as applied here (see {@link RegistryState#renewedAt}). */
    public synchronized long renewedAt(long leaseId) {
        return state.renewedAt(leaseId);
    }

    /**
     * Sets what runs with the opcode of each log entry before it is applied (on Ratis's apply thread, no
     * lock held), to slow or hold applies in fault tests.
     */
    public void setBeforeApply(java.util.function.IntConsumer hook) {
        this.beforeApply = java.util.Objects.requireNonNull(hook, "hook");
    }

    /** How many {@code EXPIRE} entries this replica refused to apply because of their fence. */
    public long expiriesRefused() {
        return expiriesRefused.get();
    }

    /** How many times Ratis reinitialized this state machine from an installed snapshot. */
    public int snapshotsInstalled() {
        return installed.get();
    }

    /** Leases live in the state, for metrics. */
    public synchronized int leaseCount() {
        return state.leaseCount();
    }

    /** Called after each applied entry with the nanoseconds it took (metrics); default none. */
    public void setApplyObserver(java.util.function.LongConsumer observer) {
        this.applyObserver = observer;
    }

    /** Instance count and revision, for status. */
    public synchronized long[] countAndRevision() {
        return new long[] {state.instanceCount(), state.revision()};
    }

    @Override
    public void close() throws IOException {
        timer.shutdownNow();
        replies.shutdownNow();
        List<CompletableFuture<Message>> parked = new ArrayList<>();
        synchronized (this) {
            parked.addAll(keyWaits.removeAll());
            parked.addAll(streamWaits.removeAll());
            parked.addAll(queueWaits.removeAll());
        }
        parked.forEach(f -> f.completeExceptionally(new IOException("registry server closing")));
        super.close();
    }
}
