package dev.courier.registry.raft;

import dev.courier.registry.RegistryUrl;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.retry.RetryPolicies;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * What one member of a Raft registry says of itself: the line {@code courier registry status} prints
 * for it, and what tools and tests read instead of parsing that line.
 *
 * @param id      the member's id; {@code "?"} when no member that answered knows the address
 * @param address the address it was asked at
 * @param role    {@code LEADER}, {@code FOLLOWER}, {@code CANDIDATE}, ... or {@code UNREACHABLE}
 * @param term    the term of its last log entry (0 when unreachable)
 * @param applied the index of the last entry its state machine applied (0 when unreachable)
 * @param commit  the index of the last entry it knows committed (0 when unreachable)
 */
public record RaftMemberStatus(String id, String address, String role, long term, long applied, long commit) {

    /** How long {@link #of} waits for each member by default: long enough for a member on a loaded host. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    public static final String UNREACHABLE = "UNREACHABLE";

    public boolean reachable() {
        return !role.equals(UNREACHABLE);
    }

    public boolean leader() {
        return role.equals("LEADER");
    }

    /** The status line: {@code MEMBER id=.. address=.. role=.. term=.. applied=.. commit=..}. */
    public String line() {
        return "MEMBER id=" + id + " address=" + address + " role=" + role + " term=" + term + " applied=" + applied
                + " commit=" + commit;
    }

    /** Asks every member of a {@code raft://} URL at once, each for up to {@link #DEFAULT_TIMEOUT}. */
    public static List<RaftMemberStatus> of(String raftUrl) {
        return of(RegistryUrl.parse(raftUrl), DEFAULT_TIMEOUT);
    }

    /**
     * Asks every member of {@code url} in parallel, each for up to {@code timeout}; one that does not
     * answer in time is listed {@link #UNREACHABLE}. The order is the URL's.
     */
    public static List<RaftMemberStatus> of(RegistryUrl url, Duration timeout) {
        if (!url.scheme().equals("raft")) {
            throw new IllegalArgumentException("not a raft:// registry: " + url);
        }
        RaftTls tls = RaftTls.fromUrl(url);
        List<RaftPeer> peers = RaftPeers.ofAddresses(url.addresses()).raftPeers();
        int seconds = (int) Math.max(1, (timeout.toMillis() + 999) / 1000);
        Map<String, String> idsByAddress = new HashMap<>();
        List<RaftMemberStatus> answers = new ArrayList<>();
        ExecutorService askers = Executors.newFixedThreadPool(peers.size(), r -> {
            Thread t = new Thread(r, "courier-registry-status");
            t.setDaemon(true);
            return t;
        });
        try {
            List<CompletableFuture<Answer>> pending = new ArrayList<>();
            for (RaftPeer peer : peers) {
                pending.add(CompletableFuture.supplyAsync(() -> ask(peer, tls, seconds), askers));
            }
            for (CompletableFuture<Answer> f : pending) {
                Answer a = f.join();
                idsByAddress.putAll(a.idsByAddress);
                answers.add(a.status);
            }
        } finally {
            askers.shutdownNow();
        }
        List<RaftMemberStatus> named = new ArrayList<>(answers.size());
        for (RaftMemberStatus s : answers) {
            named.add(
                    s.id.equals("?")
                            ? new RaftMemberStatus(
                                    idsByAddress.getOrDefault(s.address, "?"),
                                    s.address,
                                    s.role,
                                    s.term,
                                    s.applied,
                                    s.commit)
                            : s);
        }
        return List.copyOf(named);
    }

    /** The member that says it leads, if any. */
    public static Optional<RaftMemberStatus> leaderOf(List<RaftMemberStatus> members) {
        return members.stream().filter(RaftMemberStatus::leader).findFirst();
    }

    /** The id of the member that says it leads, or null when none does. */
    public static String leaderId(List<RaftMemberStatus> members) {
        return leaderOf(members).map(RaftMemberStatus::id).orElse(null);
    }

    /** The applied index member {@code id} reports, or -1 when it is not listed or unreachable. */
    public static long appliedOf(List<RaftMemberStatus> members, String id) {
        return members.stream()
                .filter(m -> m.id.equals(id) && m.reachable())
                .mapToLong(RaftMemberStatus::applied)
                .findFirst()
                .orElse(-1);
    }

    private record Answer(RaftMemberStatus status, Map<String, String> idsByAddress) {}

    private static Answer ask(RaftPeer peer, RaftTls tls, int seconds) {
        try (RaftClient client =
                RegistryCommand.Member.adminClient(List.of(peer), tls, seconds, RetryPolicies.noRetry())) {
            GroupInfoReply info = client.getGroupManagementApi(peer.getId()).info(RaftPeers.GROUP_ID);
            RoleInfoProto role = info.getRoleInfoProto();
            Map<String, String> ids = new HashMap<>();
            info.getGroup()
                    .getPeers()
                    .forEach(p -> ids.put(p.getAddress(), p.getId().toString()));
            String roleName = switch (role.getRole()) {
                case LEADER -> "LEADER";
                case FOLLOWER -> "FOLLOWER";
                default -> role.getRole().name();
            };
            org.apache.ratis.proto.RaftProtos.LogInfoProto log = info.getLogInfoProto();
            return new Answer(
                    new RaftMemberStatus(
                            role.getSelf().getId().toStringUtf8(),
                            peer.getAddress(),
                            roleName,
                            log.getLastEntry().getTerm(),
                            log.getApplied().getIndex(),
                            log.getCommitted().getIndex()),
                    ids);
        } catch (Exception e) {
            return new Answer(new RaftMemberStatus("?", peer.getAddress(), UNREACHABLE, 0, 0, 0), Map.of());
        }
    }
}
