package dev.courier.registry.raft;

import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The members of a registry cluster: stable ids and their {@code host:port}. Parses
 * {@code n1=127.0.0.1:9701,n2=127.0.0.1:9702} (server {@code --peers}) and also bare addresses
 * ({@code 127.0.0.1:9701,...}, client URLs), for which an id is made from the address; servers answer
 * whatever id a client uses and their replies name the real one. Immutable and thread-safe.
 *
 * @param members id to address, in the given order
 */
public record RaftPeers(Map<String, String> members) {

    /** Every Courier registry cluster uses this one Raft group. */
    public static final RaftGroupId GROUP_ID =
            RaftGroupId.valueOf(UUID.nameUUIDFromBytes("courier-registry".getBytes(StandardCharsets.UTF_8)));

    public RaftPeers {
        if (members.isEmpty()) {
            throw new IllegalArgumentException("a registry cluster needs at least one member");
        }
        members = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(members));
    }

    /** Parses a comma-separated list of {@code id=host:port} or {@code host:port}. */
    public static RaftPeers parse(String text) {
        Map<String, String> members = new LinkedHashMap<>();
        for (String part : text.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            String address = eq < 0 ? p : p.substring(eq + 1);
            String id = eq < 0 ? address.replace(':', '_') : p.substring(0, eq);
            if (address.lastIndexOf(':') < 0) {
                throw new IllegalArgumentException("member address needs host:port: " + p);
            }
            members.put(id, address);
        }
        return new RaftPeers(members);
    }

    /** Parses a list of addresses. */
    public static RaftPeers ofAddresses(List<String> addresses) {
        return parse(String.join(",", addresses));
    }

    public List<RaftPeer> raftPeers() {
        List<RaftPeer> peers = new ArrayList<>();
        members.forEach((id, address) -> peers.add(RaftPeer.newBuilder()
                .setId(RaftPeerId.valueOf(id))
                .setAddress(address)
                .build()));
        return peers;
    }

    public RaftGroup group() {
        return RaftGroup.valueOf(GROUP_ID, raftPeers());
    }

    /** The host of member {@code id}: the address it listens on. */
    public String host(String id) {
        String address = members.get(id);
        if (address == null) {
            throw new IllegalArgumentException("unknown member id " + id + "; members: " + members.keySet());
        }
        String host = address.substring(0, address.lastIndexOf(':'));
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    /** The port of member {@code id}. */
    public int port(String id) {
        String address = members.get(id);
        if (address == null) {
            throw new IllegalArgumentException("unknown member id " + id + "; members: " + members.keySet());
        }
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }
}
