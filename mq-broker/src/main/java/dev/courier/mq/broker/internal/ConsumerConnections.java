package dev.courier.mq.broker.internal;

import dev.courier.rpc.PeerConnection;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which consumers fetched through which client connection, so that a consumer whose connection
 * drops is detached at once — its unacknowledged messages go back for redelivery immediately rather
 * than after the session timeout.
 *
 * <p>A consumer is detached when <em>any</em> connection it fetched through closes, even if it has
 * already reconnected on another: messages answered on the dead connection may never have arrived,
 * so they are redelivered (at-least-once; a message the consumer did receive may come twice). A
 * live consumer is re-created by its next fetch.
 *
 * <p>Thread-safe.
 */
final class ConsumerConnections {

    private record ConsumerRef(Subscription subscription, String consumerId) {}

    private final Map<PeerConnection, Set<ConsumerRef>> byConnection = new ConcurrentHashMap<>();

    /** Records that {@code consumerId} fetched from {@code subscription} through {@code connection}. */
    void fetchedThrough(PeerConnection connection, Subscription subscription, String consumerId) {
        if (connection == null) {
            return;
        }
        Set<ConsumerRef> consumers = byConnection.get(connection);
        if (consumers == null) {
            Set<ConsumerRef> created = ConcurrentHashMap.newKeySet();
            consumers = byConnection.putIfAbsent(connection, created);
            if (consumers == null) {
                consumers = created;
                connection.onClose(() -> closed(connection));
            }
        }
        ConsumerRef ref = new ConsumerRef(subscription, consumerId);
        if (consumers.add(ref) && byConnection.get(connection) != consumers) {
            // the connection closed while this fetch was being served
            subscription.detach(consumerId, "its connection closed");
        }
    }

    /** The consumer left by itself; nothing to do when its connection closes. */
    void detached(PeerConnection connection, Subscription subscription, String consumerId) {
        if (connection != null) {
            Set<ConsumerRef> consumers = byConnection.get(connection);
            if (consumers != null) {
                consumers.remove(new ConsumerRef(subscription, consumerId));
            }
        }
    }

    private void closed(PeerConnection connection) {
        Set<ConsumerRef> consumers = byConnection.remove(connection);
        if (consumers != null) {
            for (ConsumerRef ref : consumers) {
                ref.subscription().detach(ref.consumerId(), "its connection closed");
            }
        }
    }

    /** The consumers that fetched through {@code connection}: {@code topic/subscription/consumer} each. */
    List<String> consumersOf(PeerConnection connection) {
        Set<ConsumerRef> consumers = byConnection.get(connection);
        if (consumers == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (ConsumerRef ref : consumers) {
            out.add(ref.subscription().topicName() + "/" + ref.subscription().name() + "/" + ref.consumerId());
        }
        out.sort(null);
        return out;
    }

    /** The ids of the connections {@code consumerId} of {@code subscription} fetched through. */
    List<String> connectionsOf(Subscription subscription, String consumerId) {
        ConsumerRef ref = new ConsumerRef(subscription, consumerId);
        List<String> out = new ArrayList<>();
        byConnection.forEach((c, refs) -> {
            if (refs.contains(ref)) {
                out.add(c.id());
            }
        });
        return out;
    }

    /** Connections being watched (for tests and stats). */
    int connections() {
        return byConnection.size();
    }
}
