package dev.courier.registry.raft;

import dev.courier.registry.Registries;
import dev.courier.registry.Registry;
import dev.courier.registry.RegistryUrl;
import dev.courier.registry.ServiceInstance;
import dev.courier.registry.ServiceKey;
import dev.courier.registry.ServiceSnapshot;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.util.TimeDuration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code courier registry}: runs a registry cluster member, or with a sub-command inspects a registry.
 *
 * <pre>
 * courier registry --id n1 --peers n1=127.0.0.1:9701,n2=127.0.0.1:9702,n3=127.0.0.1:9703 --data-dir DIR
 * courier registry --id n1 --data-dir DIR                      single-node mode on 127.0.0.1:9701
 * courier registry --id n4 --initial-cluster n1=...,n4=127.0.0.1:9704 --initial-cluster-state existing --data-dir DIR
 * courier registry status --registry raft://127.0.0.1:9701,...
 * courier registry ls --registry URL [group/interface:version]
 * courier registry member list|add|remove --registry raft://... [--id ID] [--address HOST:PORT]
 * </pre>
 */
@Command(
        name = "registry",
        mixinStandardHelpOptions = true,
        description = "Runs a member of a Courier registry cluster (Apache Ratis), or inspects a registry.",
        subcommands = {RegistryCommand.Status.class, RegistryCommand.Ls.class, RegistryCommand.Member.class})
public final class RegistryCommand implements Callable<Integer> {

    @Option(
            names = "--id",
            description = "This member's stable id, a key of --peers (default: n1).",
            defaultValue = "n1")
    String id;

    @Option(
            names = {"--peers", "--initial-cluster"},
            description = "Every member as id=host:port, comma-separated:"
                    + " the addresses members and clients reach them at. Omit for single-node mode (this member "
                    + "alone on"
                    + " 127.0.0.1:--port). Read on first start only; afterwards the membership is the one in the log.")
    String peers;

    @Option(
            names = "--initial-cluster-state",
            description = "new (default): the members of --peers form a new"
                    + " cluster; existing: this member joins a running cluster, which adds it with 'member add'.",
            defaultValue = "new")
    String initialClusterState;

    @Option(
            names = "--listen",
            description = "host:port to listen on when it differs from the address --peers"
                    + " advertises for this member (for example 0.0.0.0:9701 behind a published address).")
    String listen;

    @Option(names = "--port", description = "Port in single-node mode (default: 9701).", defaultValue = "9701")
    int port;

    @Option(names = "--data-dir", required = false, description = "Directory for this member's log and snapshots.")
    Path dataDir;

    @Option(
            names = "--snapshot-every",
            description = "Take a snapshot every N log entries (default: 10000).",
            defaultValue = "10000")
    long snapshotEvery;

    @Option(
            names = "--election-timeout",
            description = "MIN-MAX milliseconds a follower waits without hearing"
                    + " from the leader before it stands for election, drawn at random in the range (default: "
                    + "${DEFAULT-VALUE})."
                    + " Lower fails over sooner; too low for the host's pauses causes needless elections. Give "
                    + "every member"
                    + " the same.",
            defaultValue = RaftRegistryServer.DEFAULT_ELECTION_TIMEOUT)
    String electionTimeout;

    @Option(
            names = "--tls-cert",
            description = "This member's certificate (PEM): mutual TLS between members and"
                    + " for clients, with --tls-key and --tls-ca.")
    Path tlsCert;

    @Option(names = "--tls-key", description = "The private key of --tls-cert (PEM, PKCS#8).")
    Path tlsKey;

    @Option(names = "--tls-ca", description = "CA (PEM) that members' and clients' certificates must be signed by.")
    Path tlsCa;

    @Option(
            names = "--insecure",
            description = "Allows a member address beyond loopback without mutual TLS:"
                    + " anyone who reaches the port may register, revoke and reconfigure.")
    boolean insecure;

    @Option(
            names = "--auth-tokens",
            description = "File of lines \"TOKEN PRINCIPAL\": clients authenticate with"
                    + " ?token=TOKEN in the raft:// URL; with --writers, only those principals may write.")
    Path authTokens;

    @Option(
            names = "--writers",
            split = ",",
            description = "Principals (of --auth-tokens) that may register,"
                    + " renew, deregister and revoke; * for any authenticated one.")
    java.util.Set<String> writers;

    @Option(
            names = "--admins",
            split = ",",
            description = "Client-certificate CNs (mutual TLS) that may change"
                    + " members through Ratis's admin API: membership, leadership, snapshots (default: any caller that"
                    + " passes mutual TLS).")
    java.util.Set<String> admins;

    @Option(
            names = "--readers",
            split = ",",
            description = "Principals that may list and watch; * for any"
                    + " authenticated one (default: anyone, anonymous included).")
    java.util.Set<String> readers;

    @Option(
            names = "--admin-port",
            description = "Opens the admin HTTP port (0: any free one): /metrics (Prometheus),"
                    + " /live, /ready (a leader is known), /api/v1/status. Off by default.")
    Integer adminPort;

    @Option(
            names = "--admin-host",
            description = "Address of the admin port (default: ${DEFAULT-VALUE}).",
            defaultValue = "127.0.0.1")
    String adminHost;

    /** Entry point of {@code ./courier registry}. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new RegistryCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (dataDir == null) {
            System.err.println("courier registry: --data-dir is required to run a member (see --help)");
            return 2;
        }
        RaftPeers members = peers == null ? RaftPeers.parse(id + "=127.0.0.1:" + port) : RaftPeers.parse(peers);
        RaftRegistryServer.Bootstrap bootstrap;
        switch (initialClusterState) {
            case "new" -> bootstrap = RaftRegistryServer.Bootstrap.NEW;
            case "existing" -> bootstrap = RaftRegistryServer.Bootstrap.EXISTING;
            default -> {
                System.err.println(
                        "courier registry: --initial-cluster-state is new or existing, not " + initialClusterState);
                return 2;
            }
        }
        java.util.Map<String, String> ratisProperties;
        try {
            ratisProperties = RaftRegistryServer.electionTimeout(electionTimeout);
        } catch (IllegalArgumentException e) {
            System.err.println("courier registry: " + e.getMessage());
            return 2;
        }
        if (!members.members().containsKey(id)) {
            System.err.println("courier registry: --id " + id + " is not one of --peers "
                    + members.members().keySet());
            return 2;
        }
        RaftTls tls = null;
        if (tlsCert != null || tlsKey != null || tlsCa != null) {
            if (tlsCert == null || tlsKey == null || tlsCa == null) {
                System.err.println("courier registry: mutual TLS needs --tls-cert, --tls-key and --tls-ca together");
                return 2;
            }
            tls = new RaftTls(tlsCert, tlsKey, tlsCa);
        }
        String host = listen == null
                ? members.host(id)
                : RaftPeers.parse(id + "=" + listen).host(id);
        if (!isLoopback(host) && tls == null) {
            if (!insecure) {
                System.err.println("courier registry: member " + id + " would listen on " + host + ", beyond this"
                        + " machine, without TLS; give --tls-cert, --tls-key and --tls-ca, use loopback addresses,"
                        + " or pass --insecure to accept the risk");
                return 2;
            }
            System.err.println(
                    "courier registry: WARNING: INSECURE: member " + id + " listens on " + host + " without TLS");
        }
        RegistryAccess access = RegistryAccess.open();
        if (authTokens != null || writers != null || readers != null) {
            if (authTokens == null || writers == null) {
                System.err.println("courier registry: --auth-tokens and --writers go together (--readers is optional)");
                return 2;
            }
            access = RegistryAccess.fromTokensFile(authTokens, writers, readers);
        }
        if (admins != null) {
            if (tls == null) {
                System.err.println(
                        "courier registry: --admins names client certificates: it needs --tls-cert, --tls-key"
                                + " and --tls-ca");
                return 2;
            }
            access = access.withAdmins(admins);
        }
        RaftRegistryServer server = new RaftRegistryServer(
                id, members, dataDir.resolve(id), snapshotEvery, ratisProperties, tls, access, bootstrap, listen);
        CountDownLatch stopped = new CountDownLatch(1);
        dev.courier.admin.AdminServer[] admin = new dev.courier.admin.AdminServer[1];
        Thread hook = new Thread(
                () -> {
                    System.out.println("courier registry: member " + id + " shutting down");
                    server.close();
                    if (admin[0] != null) {
                        admin[0].close();
                    }
                    stopped.countDown();
                },
                "courier-registry-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        server.start();
        if (adminPort != null) {
            if (!isLoopback(adminHost)) {
                System.err.println("courier registry: WARNING: the admin port on " + adminHost
                        + " is reachable beyond this machine");
            }
            admin[0] = startAdmin(server, adminHost, adminPort);
            System.out.println("courier registry: member " + id + " admin on " + admin[0].url());
        }
        System.out.println("courier registry: member " + id + " serving on "
                + members.members().get(id)
                + (listen == null ? "" : " (listening on " + listen + ")")
                + (bootstrap == RaftRegistryServer.Bootstrap.EXISTING
                        ? "; joining: add it with 'courier registry" + " member add --id " + id + " --address "
                                + members.members().get(id) + "'"
                        : "")
                + "; clients use raft://" + String.join(",", members.members().values()));
        stopped.await();
        return 0;
    }

    /**
     * The admin port of a member: {@code /metrics} with {@link RaftRegistryServer#bindMetrics} and the JVM's
     * meters, {@code /live}, {@code /ready} (a leader is known), {@code GET /api/v1/status}.
     */
    static dev.courier.admin.AdminServer startAdmin(RaftRegistryServer server, String host, int port) {
        dev.courier.admin.AdminServer admin = dev.courier.admin.AdminServer.builder()
                .host(host)
                .port(port)
                .live(server::running)
                .ready(server::hasLeader)
                .get("/api/v1/status", r -> {
                    long[] countAndRevision = server.countAndRevision();
                    java.util.Map<String, Object> status = new java.util.LinkedHashMap<>();
                    status.put("id", server.id());
                    status.put("role", server.role());
                    status.put("term", server.currentTerm());
                    status.put("commit", server.commitIndex());
                    status.put("applied", server.appliedIndex());
                    status.put("instances", countAndRevision[0]);
                    status.put("revision", countAndRevision[1]);
                    return dev.courier.admin.AdminResponse.json(status);
                })
                .start();
        server.bindMetrics(admin.meters());
        return admin;
    }

    /** Whether every address {@code host} names is a loopback address. */
    static boolean isLoopback(String host) {
        try {
            java.net.InetAddress[] all = java.net.InetAddress.getAllByName(host);
            for (java.net.InetAddress a : all) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return all.length > 0;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    /** {@code courier registry status --registry URL}. */
    @Command(
            name = "status",
            mixinStandardHelpOptions = true,
            description = "Prints one MEMBER line per member and an INSTANCES line.")
    static final class Status implements Callable<Integer> {

        @Option(
                names = "--registry",
                required = true,
                description = "raft://host:port,... or zookeeper://host:port,...")
        String registry;

        @Override
        public Integer call() {
            RegistryUrl url = RegistryUrl.parse(registry);
            PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
            if (url.scheme().equals("raft")) {
                for (RaftMemberStatus member : RaftMemberStatus.of(url, RaftMemberStatus.DEFAULT_TIMEOUT)) {
                    out.println(member.line());
                }
            } else if (url.scheme().equals("zookeeper")) {
                for (String address : url.addresses()) {
                    out.println(zookeeperMember(address));
                }
            }
            try (Registry client = Registries.connect(registry)) {
                long count = 0;
                long revision = 0;
                if (client instanceof dev.courier.registry.internal.LeasedRegistry
                        && url.scheme().equals("raft")) {
                    try (RaftLeaseBackend backend = new RaftLeaseBackend(
                            RaftPeers.ofAddresses(url.addresses()),
                            RaftTls.fromUrl(url),
                            url.parameter("token", null))) {
                        long[] status = backend.status();
                        count = status[0];
                        revision = status[1];
                    }
                } else {
                    for (ServiceKey key : client.services()) {
                        ServiceSnapshot s = client.list(key);
                        count += s.size();
                        revision = Math.max(revision, s.revision());
                    }
                }
                out.println("INSTANCES count=" + count + " revision=" + revision);
                return 0;
            } catch (RuntimeException e) {
                out.println("INSTANCES count=0 revision=0 error=" + e.getMessage());
                return 1;
            }
        }

        /** Uses the {@code srvr} four-letter word: term = zxid epoch, applied = zxid counter. */
        private static String zookeeperMember(String address) {
            int colon = address.lastIndexOf(':');
            try (Socket s = new Socket()) {
                s.connect(
                        new InetSocketAddress(
                                address.substring(0, colon), Integer.parseInt(address.substring(colon + 1))),
                        1000);
                s.setSoTimeout(1000);
                OutputStream o = s.getOutputStream();
                o.write("srvr".getBytes(StandardCharsets.US_ASCII));
                o.flush();
                InputStream in = s.getInputStream();
                String reply = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
                String mode = line(reply, "Mode:");
                long zxid = Long.decode(line(reply, "Zxid:"));
                String role = mode.contains("leader") || mode.contains("standalone") ? "LEADER" : "FOLLOWER";
                String id = line(reply, "Node id:");
                return "MEMBER id=" + (id.isEmpty() ? address : id) + " address=" + address + " role=" + role + " term="
                        + (zxid >>> 32) + " applied=" + (zxid & 0xffffffffL);
            } catch (Exception e) {
                return "MEMBER id=" + address + " address=" + address + " role=UNREACHABLE term=0 applied=0";
            }
        }

        private static String line(String reply, String prefix) {
            return reply.lines()
                    .filter(l -> l.startsWith(prefix))
                    .map(l -> l.substring(prefix.length()).trim())
                    .findFirst()
                    .orElse("");
        }
    }

    /**
     * {@code courier registry member list|add|remove}: the Raft group's membership, changed at run time
     * (Ratis {@code setConfiguration}; Raft's joint consensus keeps a quorum of old and new members
     * throughout). A member is added after it has been started with {@code --initial-cluster-state
     * existing}; the call returns once the new membership is committed.
     */
    @Command(
            name = "member",
            mixinStandardHelpOptions = true,
            description = "Lists, adds or removes registry members.",
            subcommands = {MemberList.class, MemberAdd.class, MemberRemove.class})
    static final class Member implements Callable<Integer> {
        @Override
        public Integer call() {
            new CommandLine(this).usage(System.err);
            return 2;
        }

        /** The membership as the first reachable member of {@code url} reports it. */
        /** How long {@code member list} waits for each member it asks. */
        static final int LIST_TIMEOUT_SECONDS = 5;

        static List<RaftPeer> current(RegistryUrl url) throws java.io.IOException {
            RaftTls tls = RaftTls.fromUrl(url);
            java.io.IOException last = null;
            for (RaftPeer peer : RaftPeers.ofAddresses(url.addresses()).raftPeers()) {
                // one answer is enough, so a busy member gets time; a dead one refuses the connection at once
                try (RaftClient client =
                        adminClient(List.of(peer), tls, LIST_TIMEOUT_SECONDS, RetryPolicies.noRetry())) {
                    return List.copyOf(client.getGroupManagementApi(peer.getId())
                            .info(RaftPeers.GROUP_ID)
                            .getGroup()
                            .getPeers());
                } catch (java.io.IOException e) {
                    last = e;
                }
            }
            throw new java.io.IOException("no member of " + url.addresses() + " answered", last);
        }

        /** A client of {@code peers} whose every request waits up to {@code timeoutSeconds}. */
        static RaftClient adminClient(
                java.util.Collection<RaftPeer> peers,
                RaftTls tls,
                int timeoutSeconds,
                org.apache.ratis.retry.RetryPolicy retries) {
            RaftProperties properties = new RaftProperties();
            RaftClientConfigKeys.Rpc.setRequestTimeout(
                    properties, TimeDuration.valueOf(timeoutSeconds, TimeUnit.SECONDS));
            return RaftClient.newBuilder()
                    .setProperties(properties)
                    .setParameters(RaftTls.parametersOf(tls))
                    .setRaftGroup(org.apache.ratis.protocol.RaftGroup.valueOf(RaftPeers.GROUP_ID, peers))
                    .setRetryPolicy(retries)
                    .build();
        }

        /** Sets the membership to {@code next}; prints the outcome. */
        static int change(RegistryUrl url, List<RaftPeer> now, List<RaftPeer> next, String what) {
            try (RaftClient client = adminClient(
                    now,
                    RaftTls.fromUrl(url),
                    60,
                    RetryPolicies.retryUpToMaximumCountWithFixedSleep(
                            20, TimeDuration.valueOf(200, TimeUnit.MILLISECONDS)))) {
                org.apache.ratis.protocol.RaftClientReply reply = client.admin().setConfiguration(next);
                if (!reply.isSuccess()) {
                    System.err.println("courier registry member: " + what + " failed: " + reply.getException());
                    return 1;
                }
                System.out.println("courier registry member: " + what + "; members now "
                        + next.stream()
                                .map(p -> p.getId() + "=" + p.getAddress())
                                .toList());
                return 0;
            } catch (java.io.IOException e) {
                System.err.println("courier registry member: " + what + " failed: " + e.getMessage());
                return 1;
            }
        }
    }

    /** {@code courier registry member list --registry URL}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "Prints one MEMBER line per member.")
    static final class MemberList implements Callable<Integer> {
        @Option(names = "--registry", required = true, description = "raft://host:port,...")
        String registry;

        @Override
        public Integer call() {
            try {
                for (RaftPeer p : Member.current(RegistryUrl.parse(registry))) {
                    System.out.println("MEMBER id=" + p.getId() + " address=" + p.getAddress());
                }
                return 0;
            } catch (java.io.IOException e) {
                System.err.println("courier registry member list: " + e.getMessage());
                return 1;
            }
        }
    }

    /** {@code courier registry member add --registry URL --id ID --address HOST:PORT}. */
    @Command(
            name = "add",
            mixinStandardHelpOptions = true,
            description = "Adds a member (started with"
                    + " --initial-cluster-state existing); returns once it has caught up and the change is committed.")
    static final class MemberAdd implements Callable<Integer> {
        @Option(names = "--registry", required = true, description = "raft://host:port,... of the running cluster")
        String registry;

        @Option(names = "--id", required = true, description = "The new member's id.")
        String id;

        @Option(names = "--address", required = true, description = "The new member's advertised host:port.")
        String address;

        @Override
        public Integer call() {
            RegistryUrl url = RegistryUrl.parse(registry);
            try {
                List<RaftPeer> now = Member.current(url);
                if (now.stream().anyMatch(p -> p.getId().toString().equals(id))) {
                    System.err.println("courier registry member add: " + id + " is a member already");
                    return 2;
                }
                RaftPeers.parse(id + "=" + address); // checks host:port
                List<RaftPeer> next = new java.util.ArrayList<>(now);
                next.add(RaftPeer.newBuilder().setId(id).setAddress(address).build());
                return Member.change(url, now, next, "added " + id + "=" + address);
            } catch (java.io.IOException | IllegalArgumentException e) {
                System.err.println("courier registry member add: " + e.getMessage());
                return 1;
            }
        }
    }

    /** {@code courier registry member remove --registry URL --id ID}. */
    @Command(
            name = "remove",
            mixinStandardHelpOptions = true,
            description = "Removes a member (the leader too:"
                    + " it hands over once the change is committed); stop its process afterwards.")
    static final class MemberRemove implements Callable<Integer> {
        @Option(names = "--registry", required = true, description = "raft://host:port,... of the running cluster")
        String registry;

        @Option(names = "--id", required = true, description = "The id of the member to remove.")
        String id;

        @Override
        public Integer call() {
            RegistryUrl url = RegistryUrl.parse(registry);
            try {
                List<RaftPeer> now = Member.current(url);
                List<RaftPeer> next = now.stream()
                        .filter(p -> !p.getId().toString().equals(id))
                        .toList();
                if (next.size() == now.size()) {
                    System.err.println("courier registry member remove: " + id + " is not a member");
                    return 2;
                }
                if (next.isEmpty()) {
                    System.err.println("courier registry member remove: " + id + " is the last member");
                    return 2;
                }
                return Member.change(url, now, next, "removed " + id);
            } catch (java.io.IOException e) {
                System.err.println("courier registry member remove: " + e.getMessage());
                return 1;
            }
        }
    }

    /** {@code courier registry ls --registry URL [service]}. */
    @Command(name = "ls", mixinStandardHelpOptions = true, description = "Lists services and their instances.")
    static final class Ls implements Callable<Integer> {

        @Option(names = "--registry", required = true, description = "embedded://, raft://..., zookeeper://...")
        String registry;

        @Parameters(arity = "0..1", description = "A service as group/interface:version (or a bare interface name).")
        String service;

        @Override
        public Integer call() {
            try (Registry client = Registries.connect(registry)) {
                List<ServiceKey> keys =
                        service == null ? List.copyOf(client.services()) : List.of(ServiceKey.parse(service));
                for (ServiceKey key : keys) {
                    ServiceSnapshot s = client.list(key);
                    System.out.println(
                            "SERVICE " + key.canonical() + " instances=" + s.size() + " revision=" + s.revision());
                    for (ServiceInstance i : s.instances()) {
                        System.out.println("  INSTANCE " + i.address() + " weight=" + i.weight() + " tags=" + i.tags()
                                + " metadata=" + i.metadata());
                    }
                }
                return 0;
            }
        }
    }
}
