package dev.courier.registry.raft;

import dev.courier.registry.raft.internal.Command;
import dev.courier.registry.raft.internal.RegistryStateMachine;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One member of a replicated registry cluster: an Apache Ratis server running the registry state
 * machine, storing its log and snapshots under {@code dataDir}. Start every member listed in
 * {@code peers}; a single member is a development cluster of one. A member restarted on the same data
 * directory recovers and catches up (from the leader's log or, if that was purged, a snapshot).
 *
 * <p>Reads are linearizable (Ratis read option {@code LINEARIZABLE}). Elections time out after
 * 150-300 ms by default (the Raft paper's range), so a new leader serves within a second of the old
 * one dying (p50 0.73 s, max 0.97 s over 10 SIGKILLs on an idle 2-core host; 300-600 ms gave p50
 * 1.0 s, max 1.36 s).
 *
 * <p>Thread-safe; {@link #close()} is idempotent.
 */
public final class RaftRegistryServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RaftRegistryServer.class);

    private final String id;
    private final RaftPeers peers;
    private final RaftServer server;
    private final RegistryStateMachine stateMachine;
    /**
     * Sends this member's {@code EXPIRE} entries, as leader, straight to its own Raft division (no client:
     * a client's ordered stream, once failed by a closed connection, blocked the expiry timer for good).
     * One thread, a bounded queue; an expiry dropped when it is full is decided again a second later.
     */
    private final java.util.concurrent.ThreadPoolExecutor expirySender;

    private final org.apache.ratis.protocol.ClientId expiryClientId = org.apache.ratis.protocol.ClientId.randomId();
    private final java.util.concurrent.atomic.AtomicLong expiryCallIds = new java.util.concurrent.atomic.AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param id this member's id, a key of {@code peers}
     * @param peers every member
     * @param dataDir where this member keeps its log and snapshots
     * @param snapshotEvery take a snapshot every this many log entries
     */
    public RaftRegistryServer(String id, RaftPeers peers, Path dataDir, long snapshotEvery) throws IOException {
        this(id, peers, dataDir, snapshotEvery, java.util.Map.of());
    }

    /**
     * As above, with extra Ratis properties (for example {@code raft.server.log.segment.size.max}) set
     * last, for tuning and tests.
     */
    public RaftRegistryServer(
            String id, RaftPeers peers, Path dataDir, long snapshotEvery, java.util.Map<String, String> ratisProperties)
            throws IOException {
        this(id, peers, dataDir, snapshotEvery, ratisProperties, null);
    }

    /** As above, with mutual TLS between members and for clients ({@code tls} null: plaintext). */
    public RaftRegistryServer(
            String id,
            RaftPeers peers,
            Path dataDir,
            long snapshotEvery,
            java.util.Map<String, String> ratisProperties,
            RaftTls tls)
            throws IOException {
        this(id, peers, dataDir, snapshotEvery, ratisProperties, tls, RegistryAccess.open());
    }

    /** As above, with rules on who may write and read ({@link RegistryAccess#open()}: everyone). */
    public RaftRegistryServer(
            String id,
            RaftPeers peers,
            Path dataDir,
            long snapshotEvery,
            java.util.Map<String, String> ratisProperties,
            RaftTls tls,
            RegistryAccess access)
            throws IOException {
        this(id, peers, dataDir, snapshotEvery, ratisProperties, tls, access, Bootstrap.NEW, null);
    }

    /**
     * How a member with an empty data directory starts (one with a log recovers its membership from it,
     * whichever is given).
     */
    public enum Bootstrap {
        /** A member of a new cluster whose members are the given peers. */
        NEW,
        /**
         * A member joining a running cluster: it starts with no membership and waits until the cluster
         * adds it ({@code courier registry member add}), then catches up from the leader.
         */
        EXISTING
    }

    /** The election timeout range members use unless told otherwise, as {@code MIN-MAX} milliseconds. */
    public static final String DEFAULT_ELECTION_TIMEOUT = "150-300";

    /**
     * The Ratis properties of an election timeout range given as {@code MIN-MAX} milliseconds (50 &le;
     * MIN &lt; MAX &le; 60000). The leader sends heartbeats every MIN/2 and steps down when it has not
     * heard from a majority for MAX.
     *
     * @throws IllegalArgumentException if {@code range} is not such a range
     */
    public static java.util.Map<String, String> electionTimeout(String range) {
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("(\\d{1,5})-(\\d{1,5})").matcher(range.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("--election-timeout is MIN-MAX milliseconds, such as "
                    + DEFAULT_ELECTION_TIMEOUT + ", not '" + range + "'");
        }
        int min = Integer.parseInt(m.group(1));
        int max = Integer.parseInt(m.group(2));
        if (min < 50 || max <= min || max > 60_000) {
            throw new IllegalArgumentException("--election-timeout needs 50 <= MIN < MAX <= 60000 ms, not " + range);
        }
        return java.util.Map.of(
                RaftServerConfigKeys.Rpc.TIMEOUT_MIN_KEY,
                min + "ms",
                RaftServerConfigKeys.Rpc.TIMEOUT_MAX_KEY,
                max + "ms");
    }

    /**
     * As above, starting as {@code bootstrap} says and listening on {@code listen} ({@code host:port};
     * null: the address {@code peers} gives this member, which is what the others and clients are told).
     */
    public RaftRegistryServer(
            String id,
            RaftPeers peers,
            Path dataDir,
            long snapshotEvery,
            java.util.Map<String, String> ratisProperties,
            RaftTls tls,
            RegistryAccess access,
            Bootstrap bootstrap,
            String listen)
            throws IOException {
        this.id = id;
        this.peers = peers;
        RaftProperties properties = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(properties, List.of(dataDir.toFile()));
        if (listen == null) {
            GrpcConfigKeys.Server.setHost(properties, peers.host(id)); // only the member's own address
            GrpcConfigKeys.Server.setPort(properties, peers.port(id));
        } else {
            RaftPeers bind = RaftPeers.parse(id + "=" + listen);
            GrpcConfigKeys.Server.setHost(properties, bind.host(id));
            GrpcConfigKeys.Server.setPort(properties, bind.port(id));
        }
        RaftServerConfigKeys.Read.setOption(properties, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        electionTimeout(DEFAULT_ELECTION_TIMEOUT).forEach(properties::set);
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(properties, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(properties, snapshotEvery);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(properties, true);
        ratisProperties.forEach(properties::set);
        this.stateMachine = new RegistryStateMachine();
        stateMachine.setAccess(access);
        this.server = RaftServer.newBuilder()
                .setServerId(RaftPeerId.valueOf(id))
                .setGroup(
                        bootstrap == Bootstrap.EXISTING
                                ? org.apache.ratis.protocol.RaftGroup.valueOf(RaftPeers.GROUP_ID, List.of())
                                : peers.group())
                .setStateMachine(stateMachine)
                .setProperties(properties)
                .setParameters(serverParameters(tls, access))
                .setOption(RaftStorage.StartupOption.RECOVER)
                .build();
        this.expirySender = new java.util.concurrent.ThreadPoolExecutor(
                1,
                1,
                0,
                TimeUnit.MILLISECONDS,
                new java.util.concurrent.ArrayBlockingQueue<>(1024),
                r -> {
                    Thread t = new Thread(r, "courier-raft-registry-expiry");
                    t.setDaemon(true);
                    return t;
                },
                new java.util.concurrent.ThreadPoolExecutor.DiscardPolicy());
        String secret = stateMachine.memberSecret();
        stateMachine.setExpirySubmitter(expiry -> {
            if (!closed.get()) { // a stopping member expires nothing
                expirySender.execute(() -> submitExpiry(Command.authenticated(secret, expiry)));
            }
        });
    }

    private void submitExpiry(org.apache.ratis.protocol.Message expiry) {
        try {
            org.apache.ratis.protocol.RaftClientRequest request =
                    org.apache.ratis.protocol.RaftClientRequest.newBuilder()
                            .setClientId(expiryClientId)
                            .setServerId(RaftPeerId.valueOf(id))
                            .setGroupId(RaftPeers.GROUP_ID)
                            .setCallId(expiryCallIds.incrementAndGet())
                            .setMessage(expiry)
                            .setType(org.apache.ratis.protocol.RaftClientRequest.writeRequestType())
                            .build();
            server.submitClientRequestAsync(request).whenComplete((reply, error) -> {
                if (!closed.get() && (error != null || !reply.isSuccess())) {
                    log.debug("a lease expiry was not committed", error != null ? error : reply.getException());
                }
            });
        } catch (IOException | RuntimeException e) {
            if (!closed.get()) {
                log.debug("a lease expiry could not be submitted", e);
            }
        }
    }

    private static org.apache.ratis.conf.Parameters serverParameters(RaftTls tls, RegistryAccess access) {
        org.apache.ratis.conf.Parameters parameters = RaftTls.parametersOf(tls);
        if (access.admins() != null) {
            dev.courier.registry.raft.internal.AdminGuard guard =
                    new dev.courier.registry.raft.internal.AdminGuard(access.admins());
            org.apache.ratis.grpc.GrpcConfigKeys.Server.setServicesCustomizer(
                    parameters,
                    (builder, types) -> types.contains(org.apache.ratis.grpc.server.GrpcServices.Type.ADMIN)
                            ? builder.intercept(guard)
                            : builder);
        }
        return parameters;
    }

    /** Starts serving. */
    public RaftRegistryServer start() throws IOException {
        try {
            server.start();
        } catch (IOException | RuntimeException e) {
            close(); // a member that failed to start (its port taken) leaves no threads or storage lock behind
            throw e;
        }
        log.info(
                "registry member {} serving on {} (members {})",
                id,
                peers.members().get(id),
                peers.members());
        return this;
    }

    public String id() {
        return id;
    }

    /** Whether this member currently leads the cluster. */
    public boolean isLeader() {
        try {
            return server.getDivision(RaftPeers.GROUP_ID).getInfo().isLeader();
        } catch (IOException e) {
            return false;
        }
    }

    /** Instance count and revision as this member has applied them. */
    public long[] countAndRevision() {
        return stateMachine.countAndRevision();
    }

    /** This member's state machine, for fault tests. */
    RegistryStateMachine stateMachine() {
        return stateMachine;
    }

    /** How many lease expiries this member refused to apply because a renewal or a new term fenced them. */
    public long expiriesRefused() {
        return stateMachine.expiriesRefused();
    }

    /** The Raft term this member is in. */
    public long currentTerm() {
        try {
            return server.getDivision(RaftPeers.GROUP_ID).getInfo().getCurrentTerm();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Registers this member's meters in {@code meters}: {@code courier.registry.instances},
     * {@code .leases}, {@code .watches} (parked watch queries), {@code .revision}, the apply timer
     * {@code courier.registry.apply} and counter {@code courier.registry.expiries.refused}; of Raft,
     * {@code courier.raft.term}, {@code courier.raft.commit.index}, {@code courier.raft.applied.index},
     * {@code courier.raft.leader} (1 on the leader) and {@code courier.raft.role} (1 for the role the member
     * is in, tagged {@code role}). All tagged {@code member}. Returns them, for removal.
     */
    public java.util.List<io.micrometer.core.instrument.Meter> bindMetrics(
            io.micrometer.core.instrument.MeterRegistry meters) {
        java.util.List<io.micrometer.core.instrument.Meter> bound = new java.util.ArrayList<>();
        io.micrometer.core.instrument.Tags tags = io.micrometer.core.instrument.Tags.of("member", id);
        RegistryStateMachine sm = stateMachine;
        bound.add(io.micrometer.core.instrument.Gauge.builder(
                        "courier.registry.instances", sm, m -> m.countAndRevision()[0])
                .description("Instances registered")
                .tags(tags)
                .register(meters));
        bound.add(io.micrometer.core.instrument.Gauge.builder(
                        "courier.registry.revision", sm, m -> m.countAndRevision()[1])
                .description("Registry revision applied")
                .tags(tags)
                .register(meters));
        bound.add(io.micrometer.core.instrument.Gauge.builder(
                        "courier.registry.leases", sm, RegistryStateMachine::leaseCount)
                .description("Leases live")
                .tags(tags)
                .register(meters));
        bound.add(io.micrometer.core.instrument.Gauge.builder(
                        "courier.registry.watches", sm, RegistryStateMachine::parkedQueries)
                .description("Watch queries waiting for a change on this member")
                .tags(tags)
                .register(meters));
        bound.add(io.micrometer.core.instrument.FunctionCounter.builder(
                        "courier.registry.expiries.refused", sm, RegistryStateMachine::expiriesRefused)
                .description("Lease expiries refused by their fence")
                .tags(tags)
                .register(meters));
        io.micrometer.core.instrument.Timer apply = io.micrometer.core.instrument.Timer.builder(
                        "courier.registry.apply")
                .description("Time to apply one committed entry to the registry state")
                .tags(tags)
                .publishPercentileHistogram()
                .minimumExpectedValue(java.time.Duration.ofNanos(1_000))
                .maximumExpectedValue(java.time.Duration.ofSeconds(1))
                .register(meters);
        sm.setApplyObserver(nanos -> apply.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS));
        bound.add(apply);
        bound.add(io.micrometer.core.instrument.Gauge.builder("courier.raft.term", this, s -> s.raftInfo(0))
                .description("Raft term")
                .tags(tags)
                .register(meters));
        bound.add(io.micrometer.core.instrument.Gauge.builder("courier.raft.commit.index", this, s -> s.raftInfo(1))
                .description("Index of the last entry known committed")
                .tags(tags)
                .register(meters));
        bound.add(io.micrometer.core.instrument.Gauge.builder("courier.raft.applied.index", this, s -> s.raftInfo(2))
                .description("Index of the last entry applied")
                .tags(tags)
                .register(meters));
        bound.add(io.micrometer.core.instrument.Gauge.builder("courier.raft.leader", this, s -> s.isLeader() ? 1 : 0)
                .description("1 while this member leads")
                .tags(tags)
                .register(meters));
        for (String role : new String[] {"LEADER", "FOLLOWER", "CANDIDATE", "LISTENER"}) {
            bound.add(io.micrometer.core.instrument.Gauge.builder(
                            "courier.raft.role", this, s -> role.equals(s.role()) ? 1 : 0)
                    .description("1 for the role this member is in")
                    .tags(tags.and("role", role.toLowerCase(java.util.Locale.ROOT)))
                    .register(meters));
        }
        return bound;
    }

    /** Whether this member is running and knows a leader (itself or another): it can serve reads and writes. */
    public boolean hasLeader() {
        try {
            org.apache.ratis.server.DivisionInfo info =
                    server.getDivision(RaftPeers.GROUP_ID).getInfo();
            return !closed.get()
                    && info.isAlive()
                    && (info.isLeader() ? info.isLeaderReady() : info.getLeaderId() != null);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Whether {@link #close()} has not been called. */
    public boolean running() {
        return !closed.get();
    }

    /** This member's Raft role (LEADER, FOLLOWER, CANDIDATE, LISTENER), or UNKNOWN while it has none. */
    public String role() {
        try {
            return server.getDivision(RaftPeers.GROUP_ID)
                    .getInfo()
                    .getCurrentRole()
                    .name();
        } catch (IOException | RuntimeException e) {
            return "UNKNOWN";
        }
    }

    /** The index of the last entry this member knows committed, or -1 while it has no division. */
    public long commitIndex() {
        return (long) raftInfo(1);
    }

    /** The index of the last entry this member applied, or -1 while it has no division. */
    public long appliedIndex() {
        return (long) raftInfo(2);
    }

    /** 0: term, 1: commit index, 2: applied index; -1 while the member has no division. */
    private double raftInfo(int which) {
        try {
            org.apache.ratis.server.RaftServer.Division d = server.getDivision(RaftPeers.GROUP_ID);
            return switch (which) {
                case 0 -> d.getInfo().getCurrentTerm();
                case 1 -> d.getRaftLog().getLastCommittedIndex();
                default -> d.getInfo().getLastAppliedIndex();
            };
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** How many snapshots this member has installed from the leader since it started. */
    public int snapshotsInstalled() {
        return stateMachine.snapshotsInstalled();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        expirySender.shutdownNow();
        try {
            server.close();
        } catch (IOException e) {
            log.warn("closing registry member {} failed", id, e);
        }
    }
}
