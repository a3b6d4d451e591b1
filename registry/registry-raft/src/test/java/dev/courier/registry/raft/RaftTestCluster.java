package dev.courier.registry.raft;

import org.apache.ratis.util.ExitUtils;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/**
 * Members of a registry cluster in this JVM, on loopback ports, each with its own data directory.
 *
 * <p>Raft members must know each other's addresses before any starts, so ports are picked free
 * beforehand rather than bound as port 0 (all held at once while they are picked, so that they differ);
 * should another process take one in between, {@link #startAll} starts the whole cluster again on fresh
 * ports. Ratis ends the JVM when a member cannot bind its port; in tests it throws instead
 * ({@link ExitUtils#disableSystemExit()}), so that a taken port is a retry and not a crashed test run.
 * Not thread-safe: one test drives it.
 */
final class RaftTestCluster implements AutoCloseable {

    private static final int START_ATTEMPTS = 3;

    static {
        ExitUtils.disableSystemExit();
    }

    private final int size;
    private RaftPeers peers;
    private final Path root;
    private final long snapshotEvery;
    final Map<String, RaftRegistryServer> running = new LinkedHashMap<>();
    final Map<String, String> ratisProperties = new LinkedHashMap<>();
    /** Who may write and read, for members started from now on. */
    RegistryAccess access = RegistryAccess.open();
    /** The clock the leases of members started from now on are timed by; null: the system's. */
    java.util.function.LongSupplier clock;

    /**
     * The election timeout of test members: longer than the default (150-300 ms, sized for failover on an
     * idle host), because these tests check what the registry keeps and decides, not how fast it fails
     * over, and a busy 2-core host can hold a member's heartbeats past 150 ms again and again, so that
     * elections follow each other and a test waits out its bounds. A test may put its own.
     */
    static final String TEST_ELECTION_TIMEOUT = "300-600";

    RaftTestCluster(int size, Path root, long snapshotEvery) throws IOException {
        this.size = size;
        this.peers = freshPeers(size);
        this.root = root;
        this.snapshotEvery = snapshotEvery;
        ratisProperties.putAll(RaftRegistryServer.electionTimeout(TEST_ELECTION_TIMEOUT));
    }

    private static RaftPeers freshPeers(int size) throws IOException {
        Map<String, String> members = new LinkedHashMap<>();
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 1; i <= size; i++) {
                // held until all are picked: a port closed at once may be handed out again for the next member
                ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
                held.add(probe);
                members.put("n" + i, "127.0.0.1:" + probe.getLocalPort());
            }
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
        return new RaftPeers(members);
    }

    RaftPeers peers() {
        return peers;
    }

    RaftTestCluster startAll() throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                for (String id : peers.members().keySet()) {
                    start(id);
                }
                return this;
            } catch (IOException | RuntimeException e) {
                close();
                if (attempt == START_ATTEMPTS || !causedByBind(e)) {
                    throw e;
                }
                ExitUtils.clear(); // the termination Ratis asked for is this retry
                for (String id : peers.members().keySet()) {
                    deleteRecursively(root.resolve(id));
                }
                peers = freshPeers(size);
            }
        }
    }

    /** Whether {@code e} says a port was taken (Ratis's gRPC server reports it as a plain IOException). */
    private static boolean causedByBind(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            if (t instanceof java.net.BindException
                    || message.contains("Address already in use")
                    || message.contains("Failed to bind")) {
                return true;
            }
        }
        return false;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!java.nio.file.Files.exists(dir)) {
            return;
        }
        try (java.util.stream.Stream<Path> paths = java.nio.file.Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.delete(p);
            }
        }
    }

    void start(String id) throws IOException {
        running.put(
                id,
                started(new RaftRegistryServer(
                        id, peers, root.resolve(id), snapshotEvery, ratisProperties, null, access)));
    }

    private RaftRegistryServer started(RaftRegistryServer server) throws IOException {
        if (clock != null) {
            server.stateMachine().setClock(clock);
        }
        return server.start();
    }

    /**
     * Starts member {@code id} with {@code group} as the cluster it forms (NEW) or as the addresses it
     * knows while joining (EXISTING), for membership-change tests.
     */
    void start(String id, RaftPeers group, RaftRegistryServer.Bootstrap bootstrap) throws IOException {
        running.put(
                id,
                started(new RaftRegistryServer(
                        id, group, root.resolve(id), snapshotEvery, ratisProperties, null, access, bootstrap, null)));
    }

    void stop(String id) {
        RaftRegistryServer s = running.remove(id);
        if (s != null) {
            s.close();
        }
    }

    String url() {
        return "raft://" + String.join(",", peers.members().values());
    }

    String awaitLeader() {
        return await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> {
                            for (RaftRegistryServer s : running.values()) {
                                if (s.isLeader()) {
                                    return s.id();
                                }
                            }
                            return null;
                        },
                        id -> id != null);
    }

    /** The revision the leader has applied. */
    long leaderRevision() {
        return running.get(awaitLeader()).countAndRevision()[1];
    }

    /**
     * Waits until every running member has applied revision {@code min}. Before a test stops a
     * member, so that no survivor has an empty log: Ratis counts no vote from a member with an empty
     * log (it may have lost its storage), and a survivor with one would keep the other from being
     * elected until the stopped member returns.
     */
    void awaitEveryMemberAt(long min) {
        await().atMost(Duration.ofSeconds(60))
                .until(() -> running.values().stream().allMatch(s -> s.countAndRevision()[1] >= min));
    }

    @Override
    public void close() {
        for (String id : new ArrayList<>(running.keySet())) {
            stop(id);
        }
    }

    List<String> ids() {
        return new ArrayList<>(peers.members().keySet());
    }
}
