package dev.courier.rpc.internal.server;

import dev.courier.rpc.internal.protocol.MethodIds;
import dev.courier.rpc.internal.protocol.MethodKey;

import java.util.Arrays;

/**
 * The method ids one connection bound ({@link MethodIds}), each resolved to its service and method when it
 * was bound: a request that names its method by id is neither parsed for five strings nor looked up.
 * Holds at most {@link MethodIds#MAX} ids, as the server's handshake answer says.
 *
 * <p>Not thread-safe: used on the connection's event loop only, where requests are read in order.
 */
final class BoundMethods {

    /**
     * One bound id.
     *
     * @param service the exported service it names, or null when none is exported under that name
     * @param invoker its method, or null when the service has no such method
     */
    record Bound(MethodKey key, ExportedService service, MethodInvoker invoker) {}

    private Bound[] bound = new Bound[8];

    /** Binds {@code id} (1..{@link MethodIds#MAX}, checked by the caller) to {@code method}, replacing any binding. */
    void bind(int id, Bound method) {
        if (id >= bound.length) {
            bound = Arrays.copyOf(bound, Math.min(MethodIds.MAX + 1, Math.max(id + 1, bound.length * 2)));
        }
        bound[id] = method;
    }

    /** What {@code id} was bound to, or null. */
    Bound get(int id) {
        return id > 0 && id < bound.length ? bound[id] : null;
    }
}
