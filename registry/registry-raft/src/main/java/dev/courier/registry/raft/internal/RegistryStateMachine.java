package dev.courier.registry.raft.internal;

import dev.courier.registry.ServiceKey;
import dev.courier.registry.ServiceSnapshot;
import dev.courier.registry.internal.Change;
import dev.courier.registry.internal.ChangeBatch;
import dev.courier.registry.internal.InstanceCodec;
import dev.courier.registry.internal.LeaseNotFoundException;
import dev.courier.registry.internal.RegistryState;
import dev.courier.registry.raft.RegistryAccess;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
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

/**
 * The registry as a Ratis state machine: a {@link RegistryState} changed only by committed log entries.
 *
 * <p><b>Leases.</b> Each replica remembers, in memory only, when it last applied a grant, renewal or put
 * for each lease. Only the leader acts on it: every 100 ms it submits an {@code EXPIRE} entry for each
 * lease not renewed within its TTL, so expiry is decided once and replicated like any change (as etcd
 * does). A replica that becomes leader first grants every lease a full TTL of grace.
 *
 * <p><b>Watches.</b> A {@code CHANGES} query with nothing new is parked until a change to its service is
 * applied or its wait elapses (a long poll).
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

    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final RegistryState state = new RegistryState(100_000);
    private final Map<Long, Long> lastRenewNanos = new HashMap<>();
    private final Map<Long, Long> expirySubmittedNanos = new HashMap<>();
    private final List<Waiter> waiters = new ArrayList<>();
    private final ScheduledExecutorService timer;
    private final java.util.concurrent.ExecutorService replies = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "courier-raft-registry-reply");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean leader;
    private final java.util.concurrent.atomic.AtomicInteger installed = new java.util.concurrent.atomic.AtomicInteger();
    private volatile Consumer<Long> expirySubmitter = id -> { };
    private volatile RegistryAccess access = RegistryAccess.open();
    /** What this member's own expiry entries carry: only the leader's own are accepted. */
    private final String memberSecret = newSecret();

    private record Waiter(ServiceKey key, long after, CompletableFuture<Message> future) {
    }

    public RegistryStateMachine() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "courier-raft-registry-timer");
            t.setDaemon(true);
            return t;
        });
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
        TransactionContext trx = TransactionContext.newBuilder().setStateMachine(this).setClientRequest(request)
                .setLogData(envelope.body()).build();
        if (refusal != null) {
            trx.setException(new IOException(Command.DENIED + refusal));
        }
        return trx;
    }

    private String writeRefusal(Command.Envelope envelope) {
        if (envelope.opcode() == Command.EXPIRE) {
            // a lease is expired by the leader's own clock alone, never by a client's say-so
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
    public void setExpirySubmitter(Consumer<Long> submitter) {
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
        timer.scheduleWithFixedDelay(this::checkExpiry, EXPIRY_CHECK_MILLIS, EXPIRY_CHECK_MILLIS, TimeUnit.MILLISECONDS);
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
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file.toPath())))) {
            state.readFrom(in);
        }
        long now = System.nanoTime();
        lastRenewNanos.clear();
        state.leaseTtls().keySet().forEach(id -> lastRenewNanos.put(id, now));
        updateLastAppliedTermIndex(last);
        wakeAll();
        log.info("loaded registry snapshot {} (revision {}, {} instances)", last, state.revision(), state.instanceCount());
    }

    @Override
    public long takeSnapshot() throws IOException {
        TermIndex last;
        File file;
        synchronized (this) {
            last = getLastAppliedTermIndex();
            if (last == null || last.getIndex() < 0) {
                return -1;
            }
            file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file.toPath())))) {
                state.writeTo(out);
            }
        }
        MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(file);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), last));
        return last.getIndex();
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        TermIndex termIndex = TermIndex.valueOf(entry);
        try {
            DataInputStream in = new DataInputStream(entry.getStateMachineLogEntry().getLogData().newInput());
            byte op = in.readByte();
            Message reply;
            synchronized (this) {
                reply = apply(op, in);
                updateLastAppliedTermIndex(termIndex);
            }
            return CompletableFuture.completedFuture(reply);
        } catch (IOException | RuntimeException e) {
            synchronized (this) {
                updateLastAppliedTermIndex(termIndex);
            }
            log.error("cannot apply log entry {}", termIndex, e);
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Applies one write; replies are a status byte (0 = ok, 1 = lease not found) and maybe a long. */
    private Message apply(byte op, DataInputStream in) throws IOException {
        long now = System.nanoTime();
        switch (op) {
            case Command.GRANT -> {
                long id = state.grant(in.readLong());
                lastRenewNanos.put(id, now);
                return reply(0, id);
            }
            case Command.KEEPALIVE -> {
                long id = in.readLong();
                if (!state.hasLease(id)) {
                    return reply(1, 0);
                }
                lastRenewNanos.put(id, now);
                return reply(0, 0);
            }
            case Command.PUT -> {
                long id = in.readLong();
                try {
                    Change c = state.put(id, InstanceCodec.read(in));
                    lastRenewNanos.put(id, now);
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
                lastRenewNanos.remove(id);
                expirySubmittedNanos.remove(id);
                List<Change> changes = state.revoke(id);
                if (op == Command.EXPIRE && !changes.isEmpty()) {
                    log.info("lease {} expired; removed {} instance(s)", id, changes.size());
                }
                changes.forEach(c -> wake(c.instance().key()));
                return reply(0, state.revision());
            }
            default -> throw new IOException("unknown registry command " + op);
        }
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
                return CompletableFuture.failedFuture(new IOException(Command.DENIED + refusal));
            }
            DataInputStream in = new DataInputStream(envelope.body().newInput());
            byte op = in.readByte();
            synchronized (this) {
                switch (op) {
                    case Command.SNAPSHOT -> {
                        return CompletableFuture.completedFuture(encodeSnapshot(state.snapshot(InstanceCodec.readKey(in))));
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
                    case Command.CHANGES -> {
                        ServiceKey key = InstanceCodec.readKey(in);
                        long after = in.readLong();
                        long maxWait = in.readLong();
                        ChangeBatch batch = state.changesSince(key, after);
                        if (batch.reset() || !batch.changes().isEmpty()) {
                            return CompletableFuture.completedFuture(RaftCodec.encodeBatch(batch));
                        }
                        Waiter w = new Waiter(key, after, new CompletableFuture<>());
                        waiters.add(w);
                        timer.schedule(() -> {
                            synchronized (this) {
                                waiters.remove(w);
                                w.future().complete(RaftCodec.encodeBatch(state.changesSince(key, after)));
                            }
                        }, maxWait, TimeUnit.MILLISECONDS);
                        return w.future();
                    }
                    default -> throw new IOException("unknown registry query " + op);
                }
            }
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
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
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            if (w.key().equals(key)) {
                it.remove();
                Message batch = RaftCodec.encodeBatch(state.changesSince(key, w.after()));
                // reply off the apply thread: sending a hundred replies must not delay the next entry
                w.future().completeAsync(() -> batch, replies);
            }
        }
    }

    private void wakeAll() {
        for (Waiter w : waiters) {
            w.future().complete(RaftCodec.encodeBatch(state.changesSince(w.key(), w.after())));
        }
        waiters.clear();
    }

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
        boolean nowLeader = groupMemberId.getPeerId().equals(newLeaderId);
        synchronized (this) {
            if (nowLeader && !leader) {
                long now = System.nanoTime();
                state.leaseTtls().keySet().forEach(id -> lastRenewNanos.put(id, now));
                expirySubmittedNanos.clear();
            }
            leader = nowLeader;
        }
    }

    private void checkExpiry() {
        if (!leader) {
            return;
        }
        List<Long> expired = new ArrayList<>();
        synchronized (this) {
            long now = System.nanoTime();
            for (Map.Entry<Long, Long> e : state.leaseTtls().entrySet()) {
                long last = lastRenewNanos.getOrDefault(e.getKey(), now);
                Long submitted = expirySubmittedNanos.get(e.getKey());
                if (now - last > TimeUnit.MILLISECONDS.toNanos(e.getValue())
                        && (submitted == null || now - submitted > TimeUnit.SECONDS.toNanos(1))) {
                    expirySubmittedNanos.put(e.getKey(), now);
                    expired.add(e.getKey());
                }
            }
        }
        for (Long id : expired) {
            try {
                expirySubmitter.accept(id);
            } catch (RuntimeException e) {
                log.warn("could not submit the expiry of lease {}", id, e);
            }
        }
    }

    /** How many times Ratis reinitialized this state machine from an installed snapshot. */
    public int snapshotsInstalled() {
        return installed.get();
    }

    /** Instance count and revision, for status. */
    public synchronized long[] countAndRevision() {
        return new long[] {state.instanceCount(), state.revision()};
    }

    @Override
    public void close() throws IOException {
        timer.shutdownNow();
        replies.shutdownNow();
        synchronized (this) {
            waiters.forEach(w -> w.future().completeExceptionally(new IOException("registry server closing")));
            waiters.clear();
        }
        super.close();
    }
}
