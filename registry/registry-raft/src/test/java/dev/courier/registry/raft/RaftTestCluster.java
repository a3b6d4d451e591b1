package dev.courier.registry.raft;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Members of a registry cluster in this JVM, on loopback ports, each with its own data directory. */
final class RaftTestCluster implements AutoCloseable {

    final RaftPeers peers;
    private final Path root;
    private final long snapshotEvery;
    final Map<String, RaftRegistryServer> running = new LinkedHashMap<>();
    final Map<String, String> ratisProperties = new LinkedHashMap<>();

    RaftTestCluster(int size, Path root, long snapshotEvery) throws IOException {
        Map<String, String> members = new LinkedHashMap<>();
        for (int i = 1; i <= size; i++) {
            members.put("n" + i, "127.0.0.1:" + freePort());
        }
        this.peers = new RaftPeers(members);
        this.root = root;
        this.snapshotEvery = snapshotEvery;
    }

    RaftTestCluster startAll() throws IOException {
        for (String id : peers.members().keySet()) {
            start(id);
        }
        return this;
    }

    void start(String id) throws IOException {
        running.put(id, new RaftRegistryServer(id, peers, root.resolve(id), snapshotEvery, ratisProperties).start());
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
        return await().atMost(Duration.ofSeconds(10)).until(() -> {
            for (RaftRegistryServer s : running.values()) {
                if (s.isLeader()) {
                    return s.id();
                }
            }
            return null;
        }, id -> id != null);
    }

    @Override
    public void close() {
        for (String id : new ArrayList<>(running.keySet())) {
            stop(id);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    List<String> ids() {
        return new ArrayList<>(peers.members().keySet());
    }
}
