package dev.courier.rpc.internal.cluster;

import dev.courier.rpc.Invocation;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Consistent hashing (ketama) on one argument: every candidate owns {@value #VIRTUAL_NODES} points on
 * a 64-bit ring placed by MD5 of its id; a call goes to the first point at or after the MD5 of its key
 * ({@code String.valueOf(argument)}). The same key reaches the same provider while the set is
 * unchanged; adding or removing one of n providers moves only about 1/n of the keys. Weights are not
 * used (they would move keys when they change). The ring is rebuilt when the set of ids changes.
 * Thread-safe.
 */
final class ConsistentHashBalancer implements LoadBalancer {

    static final int VIRTUAL_NODES = 160;

    private final int argumentIndex;
    private volatile Ring ring = new Ring(List.of());

    ConsistentHashBalancer(int argumentIndex) {
        if (argumentIndex < 0) {
            throw new IllegalArgumentException("hash argument index must be >= 0");
        }
        this.argumentIndex = argumentIndex;
    }

    @Override
    public <C extends Candidate> C select(List<C> candidates, Invocation invocation) {
        List<String> ids = new ArrayList<>(candidates.size());
        Map<String, C> byId = new HashMap<>();
        for (C c : candidates) {
            ids.add(c.id());
            byId.put(c.id(), c);
        }
        ids.sort(null);
        Ring r = ring;
        if (!r.ids.equals(ids)) {
            r = new Ring(ids);
            ring = r;
        }
        Object[] args = invocation.arguments();
        String key = args.length > argumentIndex ? String.valueOf(args[argumentIndex]) : "";
        return byId.get(r.locate(hash(md5(key), 0)));
    }

    /** Points of every id on the ring. Immutable. */
    private static final class Ring {
        final List<String> ids;
        final TreeMap<Long, String> points = new TreeMap<>();

        Ring(List<String> ids) {
            this.ids = List.copyOf(ids);
            for (String id : ids) {
                for (int i = 0; i < VIRTUAL_NODES / 4; i++) {
                    byte[] digest = md5(id + '#' + i);
                    for (int h = 0; h < 4; h++) {
                        points.put(hash(digest, h), id);
                    }
                }
            }
        }

        String locate(long hash) {
            Map.Entry<Long, String> e = points.ceilingEntry(hash);
            return e != null ? e.getValue() : points.firstEntry().getValue();
        }
    }

    /** Four bytes of the digest, as ketama takes them, widened to an unsigned 32-bit value. */
    static long hash(byte[] digest, int number) {
        return (((long) (digest[3 + number * 4] & 0xFF) << 24)
                        | ((long) (digest[2 + number * 4] & 0xFF) << 16)
                        | ((long) (digest[1 + number * 4] & 0xFF) << 8)
                        | (digest[number * 4] & 0xFF))
                & 0xFFFFFFFFL;
    }

    static byte[] md5(String value) {
        try {
            return MessageDigest.getInstance("MD5").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is missing from this JVM", e);
        }
    }
}
