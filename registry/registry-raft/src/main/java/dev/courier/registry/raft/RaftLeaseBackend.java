package dev.courier.registry.raft;

import dev.courier.registry.RegistryAccessDeniedException;
import dev.courier.registry.RegistryException;
import dev.courier.registry.ServiceInstance;
import dev.courier.registry.ServiceKey;
import dev.courier.registry.ServiceSnapshot;
import dev.courier.registry.internal.ChangeBatch;
import dev.courier.registry.internal.LeaseBackend;
import dev.courier.registry.internal.LeaseNotFoundException;
import dev.courier.registry.raft.internal.Command;
import dev.courier.registry.raft.internal.RaftCodec;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.client.retry.RequestTypeDependentRetryPolicy;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.proto.RaftProtos.RaftClientRequestProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.LeaderSteppingDownException;
import org.apache.ratis.protocol.exceptions.TransferLeadershipException;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.util.TimeDuration;

import java.io.DataInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * {@link LeaseBackend} over a registry cluster, through one Ratis client. Writes go through the Raft
 * log; reads are linearizable. The client follows the leader on its own and retries, 100 ms apart, for up to
 * {@link #FAILOVER_BUDGET} from the first attempt before reporting the registry unreachable; see
 * {@link #retryPolicy()}. Thread-safe.
 *
 * <p>Ratis's client, used by several threads while it reconnects, can hand one thread the connection to
 * a member that another thread has just closed to replace it ({@code PeerProxyMap.resetProxy} racing
 * {@code getProxy}); the call then fails with {@link AlreadyClosedException} before anything is sent.
 * Until this backend is closed, such a call is made again (up to {@value #STALE_CONNECTION_RETRIES}
 * times), and the next try takes the new connection.
 *
 * <p>A leader that is stepping down or handing its leadership over refuses a call before it enters the
 * log ({@link LeaderSteppingDownException}, {@link TransferLeadershipException}), and Ratis's client
 * passes that on without retrying. Such a call is made again, 100 ms apart, within the failover budget.
 */
public final class RaftLeaseBackend implements LeaseBackend {

    static final int STALE_CONNECTION_RETRIES = 20;

    /** How long one call keeps trying across a failover, counted from its first attempt. */
    static final Duration FAILOVER_BUDGET = Duration.ofSeconds(30);

    private static final TimeDuration RETRY_SLEEP = TimeDuration.valueOf(100, TimeUnit.MILLISECONDS);

    private final RaftClient client;
    private final String token;
    private final Duration leaderChangeBudget;
    private volatile boolean closed;

    public RaftLeaseBackend(RaftPeers peers) {
        this(peers, null);
    }

    /** A client of {@code peers} over mutual TLS ({@code tls} null: plaintext). */
    public RaftLeaseBackend(RaftPeers peers, RaftTls tls) {
        this(peers, tls, null);
    }

    /**
     * A client of {@code peers} over mutual TLS ({@code tls} null: plaintext) that authenticates every
     * call with the bearer {@code token} (null: none); see {@link RegistryAccess}.
     */
    public RaftLeaseBackend(RaftPeers peers, RaftTls tls, String token) {
        this(newClient(peers, tls), token);
    }

    /** Over {@code client}, which this backend owns and closes, authenticating with {@code token} (null: none). */
    RaftLeaseBackend(RaftClient client, String token) {
        this(client, token, FAILOVER_BUDGET);
    }

    /** As above, retrying a call refused by a changing leader for {@code leaderChangeBudget}. */
    RaftLeaseBackend(RaftClient client, String token, Duration leaderChangeBudget) {
        this.client = client;
        this.token = token;
        this.leaderChangeBudget = leaderChangeBudget;
    }

    private static RaftClient newClient(RaftPeers peers, RaftTls tls) {
        RaftProperties properties = new RaftProperties();
        RaftClientConfigKeys.Rpc.setRequestTimeout(properties, TimeDuration.valueOf(3, TimeUnit.SECONDS));
        // every watch keeps one long poll outstanding; Ratis's default cap of 100 would queue the rest
        RaftClientConfigKeys.Async.setOutstandingRequestsMax(properties, 10_000);
        return RaftClient.newBuilder()
                .setProperties(properties)
                .setParameters(RaftTls.parametersOf(tls))
                .setRaftGroup(peers.group())
                .setRetryPolicy(retryPolicy())
                .build();
    }

    /**
     * Every request type retries 100 ms apart until {@link #FAILOVER_BUDGET} has passed since its first
     * attempt. The budget is one of time, not of attempts: a member that is down refuses a connection at
     * once and a member without a leader answers "not leader" at once, so a count of attempts runs out in a
     * few seconds, before a loaded cluster has elected a leader, while a member that does not answer
     * holds every attempt for the request timeout (3 s) and a count would stretch to minutes.
     */
    static RetryPolicy retryPolicy() {
        TimeDuration budget = TimeDuration.valueOf(FAILOVER_BUDGET.toMillis(), TimeUnit.MILLISECONDS);
        RetryPolicy everyAttempt = RetryPolicies.retryForeverWithSleep(RETRY_SLEEP);
        RequestTypeDependentRetryPolicy.Builder policy = RequestTypeDependentRetryPolicy.newBuilder();
        for (RaftClientRequestProto.TypeCase type : RaftClientRequestProto.TypeCase.values()) {
            policy.setRetryPolicy(type, everyAttempt).setTimeout(type, budget);
        }
        return policy.build();
    }

    /** One blocking call of the client. */
    private interface Call {
        RaftClientReply send() throws IOException;
    }

    private Message write(Message command) {
        return call(() -> client.io().send(signed(command)));
    }

    private Message read(Message query) {
        return call(() -> client.io().sendReadOnly(signed(query)));
    }

    private Message call(Call call) {
        long started = System.nanoTime();
        for (int attempt = 0; ; attempt++) {
            try {
                return check(call.send());
            } catch (IOException e) {
                if (attempt < STALE_CONNECTION_RETRIES && !closed && staleConnection(e)) {
                    continue; // never sent: see the class comment
                }
                if (!closed
                        && leaderChanging(e)
                        && System.nanoTime() - started < leaderChangeBudget.toNanos()
                        && pause()) {
                    continue; // refused before it entered the log: see the class comment
                }
                throw failure(e);
            }
        }
    }

    /**
     * Whether the leader refused the call because it is stepping down or handing over: Ratis's client
     * passes these on at once instead of retrying, though the call never reached the log.
     */
    private static boolean leaderChanging(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof LeaderSteppingDownException || t instanceof TransferLeadershipException) {
                return true;
            }
        }
        return false;
    }

    /** Waits one retry interval; false if interrupted (the interrupt is kept). */
    private static boolean pause() {
        try {
            Thread.sleep(RETRY_SLEEP.toLong(TimeUnit.MILLISECONDS));
            return true;
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean staleConnection(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof AlreadyClosedException) {
                return true;
            }
        }
        return false;
    }

    private Message signed(Message message) {
        return token == null ? message : Command.authenticated(token, message);
    }

    /** A refusal of the caller's credentials, typed; any other failure: the cluster could not be reached. */
    private static RegistryException failure(IOException e) {
        RegistryAccessDeniedException denied = denial(e);
        return denied != null ? denied : new RegistryException("registry cluster unreachable", e);
    }

    private static Message check(RaftClientReply reply) {
        if (!reply.isSuccess()) {
            RegistryAccessDeniedException denied = denial(reply.getException());
            if (denied != null) {
                throw denied;
            }
            throw new RegistryException("registry request failed", reply.getException());
        }
        return reply.getMessage();
    }

    /** The member's refusal of the caller's credentials, typed, when {@code e} is one; else null. */
    private static RegistryAccessDeniedException denial(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            int at = m == null ? -1 : m.indexOf(Command.DENIED);
            if (at >= 0) {
                return new RegistryAccessDeniedException(
                        "The registry refused the call: " + m.substring(at + Command.DENIED.length()));
            }
        }
        return null;
    }

    private static long value(Message reply, long leaseId) {
        try {
            DataInputStream in = RaftCodec.open(reply);
            if (in.readByte() == 1) {
                throw new LeaseNotFoundException(leaseId);
            }
            return in.readLong();
        } catch (IOException e) {
            throw new RegistryException("bad registry reply", e);
        }
    }

    @Override
    public long grant(Duration ttl) {
        return value(write(Command.grant(ttl.toMillis())), 0);
    }

    @Override
    public boolean keepAlive(long leaseId) {
        try {
            value(write(Command.keepAlive(leaseId)), leaseId);
            return true;
        } catch (LeaseNotFoundException e) {
            return false;
        }
    }

    @Override
    public void put(long leaseId, ServiceInstance instance) {
        value(write(Command.put(leaseId, instance)), leaseId);
    }

    @Override
    public void delete(long leaseId, ServiceKey key, String instanceId) {
        write(Command.delete(leaseId, key, instanceId));
    }

    @Override
    public void revoke(long leaseId) {
        write(Command.revoke(leaseId));
    }

    @Override
    public ServiceSnapshot snapshot(ServiceKey key) {
        try {
            return RaftCodec.decodeSnapshot(key, read(Command.snapshot(key)));
        } catch (IOException e) {
            throw new RegistryException("bad registry reply", e);
        }
    }

    @Override
    public Set<ServiceKey> services() {
        try {
            return new LinkedHashSet<>(RaftCodec.decodeServices(read(Command.services())));
        } catch (IOException e) {
            throw new RegistryException("bad registry reply", e);
        }
    }

    /** Instance count and revision of the cluster, read linearizably. */
    public long[] status() {
        try {
            DataInputStream in = RaftCodec.open(read(Command.status()));
            in.readByte();
            return new long[] {in.readLong(), in.readLong()};
        } catch (IOException e) {
            throw new RegistryException("bad registry reply", e);
        }
    }

    @Override
    public CompletableFuture<java.util.Map<ServiceKey, ChangeBatch>> changesSince(
            java.util.Map<ServiceKey, Long> afters, Duration maxWait) {
        return readAsync(Command.changes(afters, maxWait.toMillis()), RaftCodec::decodeBatches);
    }

    @Override
    public long enqueue(long leaseId, String queue, String value) {
        return value(write(Command.enqueue(leaseId, queue, value)), leaseId);
    }

    @Override
    public void dequeue(String queue, long token) {
        write(Command.dequeue(queue, token));
    }

    @Override
    public dev.courier.registry.coordination.QueueView queue(String queue) {
        try {
            return RaftCodec.decodeQueue(read(Command.queue(queue)));
        } catch (IOException e) {
            throw new RegistryException("bad registry reply", e);
        }
    }

    @Override
    public CompletableFuture<dev.courier.registry.coordination.QueueView> queueChanged(
            String queue, long version, Duration maxWait) {
        return readAsync(Command.queueChanges(queue, version, maxWait.toMillis()), RaftCodec::decodeQueue);
    }

    @Override
    public long addAndGet(String counter, long delta) {
        return value(write(Command.add(counter, delta)), 0);
    }

    /** Decodes a reply. */
    private interface Decoder<T> {
        T decode(Message reply) throws IOException;
    }

    /** An unordered read-only query whose failures are typed as a blocking call's are. */
    private <T> CompletableFuture<T> readAsync(Message query, Decoder<T> decoder) {
        return client.async()
                .sendReadOnlyUnordered(signed(query))
                .exceptionally(e -> {
                    RegistryAccessDeniedException denied = denial(e);
                    throw denied != null
                            ? denied
                            : e instanceof CompletionException ce ? ce : new CompletionException(e);
                })
                .thenApply(reply -> {
                    try {
                        return decoder.decode(check(reply));
                    } catch (IOException e) {
                        throw new CompletionException(e);
                    }
                });
    }

    @Override
    public CompletableFuture<ChangeBatch> changesSince(ServiceKey key, long after, Duration maxWait) {
        return readAsync(Command.changes(key, after, maxWait.toMillis()), RaftCodec::decodeBatch);
    }

    @Override
    public void close() {
        closed = true;
        try {
            client.close();
        } catch (IOException e) {
            throw new RegistryException("closing the registry client failed", e);
        }
    }
}
