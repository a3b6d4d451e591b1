package dev.courier.mq.broker.internal;

import dev.courier.rpc.PeerConnection;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The client connections that made broker calls, for operators: who is connected from where since
 * when, how many calls each made, and a way to close one. A connection is added by its first call and
 * removed when it closes. Thread-safe; {@link #seen} is on every call's path and costs one map lookup.
 */
final class ClientConnections {

    /** One connection: opened (first call) at {@code sinceMillis}, and its calls so far. */
    static final class Client {
        final PeerConnection connection;
        final long sinceMillis;
        final LongAdder calls = new LongAdder();

        Client(PeerConnection connection, long sinceMillis) {
            this.connection = connection;
            this.sinceMillis = sinceMillis;
        }
    }

    private final Map<PeerConnection, Client> clients = new ConcurrentHashMap<>();

    /** Counts a call on {@code connection} (null: a call from inside the broker's process). */
    void seen(PeerConnection connection) {
        if (connection == null) {
            return;
        }
        Client c = clients.get(connection);
        if (c == null) {
            Client created = new Client(connection, System.currentTimeMillis());
            c = clients.putIfAbsent(connection, created);
            if (c == null) {
                c = created;
                connection.onClose(() -> clients.remove(connection));
            }
        }
        c.calls.increment();
    }

    /** The connections now, oldest first. */
    List<Client> list() {
        List<Client> out = new ArrayList<>(clients.values());
        out.sort(Comparator.comparingLong((Client c) -> c.sinceMillis).thenComparing(c -> c.connection.id()));
        return out;
    }

    /** Closes the connection with {@code id}; false if there is none. */
    boolean close(String id) {
        for (PeerConnection c : clients.keySet()) {
            if (c.id().equals(id)) {
                c.close();
                return true;
            }
        }
        return false;
    }
}
