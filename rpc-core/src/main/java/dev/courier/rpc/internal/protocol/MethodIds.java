package dev.courier.rpc.internal.protocol;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

import java.util.HashMap;
import java.util.Map;

/**
 * A client connection's method ids: instead of five strings (service, version, group, method, parameter
 * types) in every request, a connection names each method once, in a method frame that binds it to a
 * small id, and then sends only the id. The frame goes out right before the first request that uses the
 * id, on the same channel, so the server always reads the binding before any use of it:
 *
 * <pre>
 *   method frame   FLAGS = {@link FrameFormat#FLAG_METHOD_DEF}, REQUEST_ID = the method id (1..limit),
 *                  body = the {@link MethodKey}'s five strings; never answered
 *   request        FLAGS has {@link FrameFormat#FLAG_METHOD_REF}; the body starts with the method id
 *                  (see {@link RequestHead})
 * </pre>
 *
 * <p>A connection uses ids only when the server's handshake answer offered them ({@link Hello#METHOD_IDS},
 * the most ids it keeps per connection); past that number of methods the rest are sent in full. A server
 * that gets an id its connection never bound answers {@link Status#BAD_REQUEST}.
 *
 * <p>Not thread-safe: used by the {@link FrameEncoder} on the channel's event loop only.
 */
public final class MethodIds {

    /** The most ids either end keeps for one connection. */
    public static final int MAX = 4096;

    static final AttributeKey<MethodIds> KEY = AttributeKey.valueOf(MethodIds.class, "ids");

    private final int limit;
    private final Map<MethodKey, Integer> ids = new HashMap<>();

    private MethodIds(int limit) {
        this.limit = limit;
    }

    /**
     * Lets {@code channel}'s requests name their methods by id, as the server's handshake answer allows
     * ({@code offered}: its {@link Hello#METHOD_IDS} field, or null when it offered none). Call on the
     * channel's event loop before the first request.
     */
    public static void offer(Channel channel, String offered) {
        int limit = parseLimit(offered);
        if (limit > 0) {
            channel.attr(KEY).set(new MethodIds(Math.min(MAX, limit)));
        }
    }

    /** The number of ids in a {@link Hello#METHOD_IDS} field; 0 when it is absent or not a number. */
    static int parseLimit(String offered) {
        if (offered == null) {
            return 0;
        }
        try {
            return Math.max(0, Integer.parseInt(offered));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The id bound to {@code key}, or 0 when it has none yet. */
    int idOf(MethodKey key) {
        Integer id = ids.get(key);
        return id == null ? 0 : id;
    }

    /** Binds {@code key} to the next id and returns it, or 0 when every id is taken. */
    int bind(MethodKey key) {
        if (ids.size() >= limit) {
            return 0;
        }
        int id = ids.size() + 1;
        ids.put(key, id);
        return id;
    }

    /** Ids bound so far. */
    public int size() {
        return ids.size();
    }

    /** The ids of {@code channel}, or null when it sends methods in full. */
    public static MethodIds of(Channel channel) {
        return channel.attr(KEY).get();
    }
}
