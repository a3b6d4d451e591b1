package dev.courier.mq.broker.internal;

import dev.courier.admin.AdminException;
import dev.courier.admin.AdminRequest;
import dev.courier.admin.AdminResponse;
import dev.courier.admin.AdminServer;
import dev.courier.mq.broker.Authorizer;
import dev.courier.mq.broker.storage.StorageException;
import dev.courier.mq.broker.storage.StoredRecord;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The broker's JSON API under {@code /api/v1} on its admin port:
 *
 * <ul>
 *   <li>{@code GET /api/v1/overview}: topics, messages published, ready and unacknowledged, bytes on
 *       disk, consumers, connections, fsync p99;</li>
 *   <li>{@code GET /api/v1/topics}, {@code POST /api/v1/topics} with {@code {"name": "orders"}};</li>
 *   <li>{@code GET /api/v1/topics/NAME}: offsets, size, retention, and each subscription with its lag
 *       (stored and not acknowledged), ready and unacknowledged counts, consumers and counters;
 *       {@code DELETE} deletes the topic;</li>
 *   <li>{@code PUT /api/v1/topics/NAME/retention} with {@code {"bytes": N, "millis": M}} (-1: no limit);</li>
 *   <li>{@code GET /api/v1/topics/NAME/messages/OFFSET}: one message (its id is its offset), the payload
 *       in base64;</li>
 *   <li>{@code GET /api/v1/topics/NAME/subscriptions/SUB}: the subscription and its consumers;
 *       {@code POST .../seek} with {@code {"offset": N}} or {@code {"timestamp": millis}} (refused with
 *       409 while consumers are attached); {@code POST .../purge}; {@code DELETE} deletes the subscription
 *       (409 while consumers are attached); {@code DELETE .../consumers/ID} detaches a consumer (its messages
 *       are redelivered);</li>
 *   <li>{@code GET .../subscriptions/SUB/dead-letters?from=0&limit=100}: the dead letters not yet
 *       replayed, with the headers saying why; {@code POST .../dead-letters/replay} with
 *       {@code {"offsets": [..]}} (or {@code {}}: the first 1,000) copies them back to the topic;
 *       {@code POST .../dead-letters/purge} drops them;</li>
 *   <li>{@code GET /api/v1/consumers}, {@code GET /api/v1/connections}; {@code DELETE
 *       /api/v1/connections/ID} closes a client connection.</li>
 * </ul>
 *
 * With authentication on the broker, a request carries a token the broker accepts, and its principal
 * needs {@link Authorizer.Action#ADMIN} on the topic it reads or changes ({@code CREATE} to create one);
 * lists show the topics it may read. Connections span topics: listing and closing them needs ADMIN on
 * every topic ({@code "*"}). Handlers run on the admin port's pool; message reads and file writes run
 * there, never on a broker I/O thread.
 */
public final class BrokerAdminApi {

    private static final int MAX_LIMIT = 1000;

    private final Topics topics;
    private final Authorizer authorizer;
    private final Clients clients;
    private final java.util.function.DoubleSupplier fsyncP99Millis;

    /** The broker's client connections and the consumers on each. */
    public record Clients(ClientConnections connections, ConsumerConnections consumers) {}

    public BrokerAdminApi(
            Topics topics, Authorizer authorizer, Clients clients, java.util.function.DoubleSupplier fsyncP99Millis) {
        this.topics = topics;
        this.authorizer = authorizer;
        this.clients = clients;
        this.fsyncP99Millis = fsyncP99Millis;
    }

    /** Adds the routes to an admin port being built. */
    public AdminServer.Builder routes(AdminServer.Builder admin) {
        return admin.get("/api/v1/overview", this::overview)
                .get("/api/v1/topics", this::listTopics)
                .post("/api/v1/topics", this::createTopic)
                .get("/api/v1/topics/*", this::topicPath)
                .post("/api/v1/topics/*", this::topicPost)
                .put("/api/v1/topics/*", this::topicPut)
                .delete("/api/v1/topics/*", this::topicDelete)
                .get("/api/v1/consumers", this::listConsumers)
                .get("/api/v1/connections", this::listConnections)
                .delete("/api/v1/connections/*", this::closeConnection);
    }

    /** Whether the caller may act on the whole broker (ADMIN on every topic). */
    private void brokerWide(AdminRequest r) {
        if (!may(r, "*", Authorizer.Action.ADMIN)) {
            throw new AdminException(403, "Principal '" + r.principal() + "' needs admin on every topic ('*')");
        }
    }

    private static String[] parts(AdminRequest r) {
        return r.pathAfter("/api/v1/topics").split("/");
    }

    private static Subscription subscription(Topic t, String name) {
        Subscription s = t.find(name);
        if (s == null) {
            throw AdminException.notFound("No subscription " + name + " of topic " + t.name());
        }
        return s;
    }

    private AdminResponse topicPost(AdminRequest r) {
        String[] p = parts(r);
        Topic t = readable(r, p[0]);
        if (p.length == 4 && p[1].equals("subscriptions") && p[3].equals("seek")) {
            Subscription s = subscription(t, p[2]);
            Map<?, ?> body = AdminResponse.readJson(r.body(), Map.class);
            long offset;
            if (body.get("offset") instanceof Number n) {
                offset = n.longValue();
            } else if (body.get("timestamp") instanceof Number n) {
                offset = t.offsetAt(n.longValue());
            } else {
                throw AdminException.badRequest("Give {\"offset\": N} or {\"timestamp\": epoch millis}");
            }
            long at;
            try {
                at = s.seek(offset);
            } catch (IllegalStateException e) {
                throw new AdminException(409, e.getMessage());
            }
            return AdminResponse.json(Map.of("offset", at));
        }
        if (p.length == 4 && p[1].equals("subscriptions") && p[3].equals("purge")) {
            return AdminResponse.json(Map.of("purged", subscription(t, p[2]).purge()));
        }
        if (p.length == 5 && p[1].equals("subscriptions") && p[3].equals("dead-letters")) {
            subscription(t, p[2]);
            if (p[4].equals("replay")) {
                Object given = r.body().length == 0
                        ? null
                        : AdminResponse.readJson(r.body(), Map.class).get("offsets");
                long[] offsets = null;
                if (given instanceof List<?> list) {
                    if (list.size() > MAX_LIMIT) {
                        throw AdminException.badRequest("At most " + MAX_LIMIT + " offsets per replay");
                    }
                    offsets = new long[list.size()];
                    for (int i = 0; i < offsets.length; i++) {
                        if (!(list.get(i) instanceof Number n)) {
                            throw AdminException.badRequest("Offsets are numbers: " + list.get(i));
                        }
                        offsets[i] = n.longValue();
                    }
                } else if (given != null) {
                    throw AdminException.badRequest("Give {\"offsets\": [..]}, or {} for the first " + MAX_LIMIT);
                }
                try {
                    return AdminResponse.json(
                            Map.of("replayed", topics.replayDeadLetters(t.name(), p[2], offsets, MAX_LIMIT)));
                } catch (StorageException e) {
                    throw new AdminException(503, e.getMessage());
                }
            }
            if (p[4].equals("purge")) {
                return AdminResponse.json(Map.of("purged", topics.purgeDeadLetters(t.name(), p[2])));
            }
        }
        throw AdminException.notFound("No route POST " + r.path());
    }

    private AdminResponse topicPut(AdminRequest r) {
        String[] p = parts(r);
        Topic t = readable(r, p[0]);
        if (p.length == 2 && p[1].equals("retention")) {
            Map<?, ?> body = AdminResponse.readJson(r.body(), Map.class);
            if (!(body.get("bytes") instanceof Number bytes) || !(body.get("millis") instanceof Number millis)) {
                throw AdminException.badRequest("Give {\"bytes\": N, \"millis\": M}; -1 for no limit");
            }
            try {
                t.retention(bytes.longValue(), millis.longValue());
            } catch (IllegalStateException e) { // deleted meanwhile
                throw AdminException.notFound("No topic " + t.name());
            }
            return AdminResponse.json(summary(t));
        }
        throw AdminException.notFound("No route PUT " + r.path());
    }

    private AdminResponse topicDelete(AdminRequest r) {
        String[] p = parts(r);
        Topic t = readable(r, p[0]);
        if (p.length == 1) {
            topics.deleteTopic(t.name());
            return AdminResponse.json(Map.of("deleted", t.name()));
        }
        if (p.length == 3 && p[1].equals("subscriptions")) {
            subscription(t, p[2]);
            try {
                t.deleteSubscription(p[2]);
            } catch (IllegalStateException e) { // consumers attached
                throw new AdminException(409, e.getMessage());
            }
            return AdminResponse.json(Map.of("deleted", t.name() + "/" + p[2]));
        }
        if (p.length == 5 && p[1].equals("subscriptions") && p[3].equals("consumers")) {
            Subscription s = subscription(t, p[2]);
            boolean attached = s.consumers().stream().anyMatch(c -> c.id().equals(p[4]));
            if (!attached) {
                throw AdminException.notFound("No consumer " + p[4] + " on " + t.name() + "/" + s.name());
            }
            return AdminResponse.json(Map.of("redelivered", s.detach(p[4], "closed by an operator")));
        }
        throw AdminException.notFound("No route DELETE " + r.path());
    }

    private AdminResponse listConsumers(AdminRequest r) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String name : topics.names().stream().sorted().toList()) {
            Topic t = topics.find(name);
            if (t == null || !may(r, name, Authorizer.Action.ADMIN)) {
                continue;
            }
            for (Subscription s : t.subscriptions()) {
                for (Map<String, Object> c : consumersJson(s)) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("topic", name);
                    m.put("subscription", s.name());
                    m.putAll(c);
                    out.add(m);
                }
            }
        }
        return AdminResponse.json(out);
    }

    private List<Map<String, Object>> consumersJson(Subscription s) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ConsumerSessions.View v : s.consumers()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", v.id());
            m.put("prefetch", v.prefetch());
            m.put("unacknowledged", v.held());
            m.put("ackTimeoutMillis", v.ackTimeoutMillis());
            m.put("idleMillis", v.idleMillis());
            m.put("waiting", v.waiting());
            m.put(
                    "connections",
                    clients == null ? List.of() : clients.consumers().connectionsOf(s, v.id()));
            out.add(m);
        }
        return out;
    }

    private AdminResponse listConnections(AdminRequest r) {
        brokerWide(r);
        List<Map<String, Object>> out = new ArrayList<>();
        if (clients != null) {
            for (ClientConnections.Client c : clients.connections().list()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", c.connection.id());
                m.put("remote", String.valueOf(c.connection.remoteAddress()));
                m.put("principal", c.connection.principal());
                m.put("sinceMillis", c.sinceMillis);
                m.put("calls", c.calls.sum());
                m.put("consumers", clients.consumers().consumersOf(c.connection));
                out.add(m);
            }
        }
        return AdminResponse.json(out);
    }

    private AdminResponse closeConnection(AdminRequest r) {
        brokerWide(r);
        String id = r.pathAfter("/api/v1/connections");
        if (clients == null || !clients.connections().close(id)) {
            throw AdminException.notFound("No connection " + id);
        }
        return AdminResponse.json(Map.of("closed", id));
    }

    private boolean may(AdminRequest r, String topic, Authorizer.Action action) {
        return authorizer.allowed(r.principal(), topic, action);
    }

    private Topic readable(AdminRequest r, String name) {
        Topic t = topics.find(name);
        if (t == null || !may(r, name, Authorizer.Action.ADMIN)) {
            throw AdminException.notFound("No topic " + name);
        }
        return t;
    }

    private AdminResponse overview(AdminRequest r) {
        long published = 0;
        long ready = 0;
        long unacked = 0;
        long bytes = 0;
        int count = 0;
        int consumers = 0;
        for (Topic t : topics.all()) {
            if (!may(r, t.name(), Authorizer.Action.ADMIN)) {
                continue;
            }
            count++;
            published += t.published.sum();
            bytes += t.log().sizeBytes();
            for (Subscription s : t.subscriptions()) {
                Subscription.Counters c = s.counters();
                ready += c.ready();
                unacked += c.unacknowledged();
                consumers += c.consumers();
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("topics", count);
        out.put("published", published);
        out.put("ready", ready);
        out.put("unacknowledged", unacked);
        out.put("diskBytes", bytes);
        out.put("consumers", consumers);
        out.put(
                "connections",
                clients == null ? 0 : clients.connections().list().size());
        out.put("fsyncP99Millis", fsyncP99Millis.getAsDouble());
        return AdminResponse.json(out);
    }

    private AdminResponse listTopics(AdminRequest r) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String name : topics.names().stream().sorted().toList()) {
            Topic t = topics.find(name);
            if (t != null && may(r, name, Authorizer.Action.ADMIN)) {
                out.add(summary(t));
            }
        }
        return AdminResponse.json(out);
    }

    private AdminResponse createTopic(AdminRequest r) {
        Object name = AdminResponse.readJson(r.body(), Map.class).get("name");
        if (!(name instanceof String topic)) {
            throw AdminException.badRequest("Give the topic as {\"name\": \"...\"}");
        }
        if (!may(r, topic, Authorizer.Action.CREATE)) {
            throw new AdminException(403, "Principal '" + r.principal() + "' may not create topic '" + topic + "'");
        }
        try {
            Names.check("topic", topic);
        } catch (RuntimeException e) {
            throw AdminException.badRequest(e.getMessage());
        }
        boolean created = topics.createTopic(topic);
        return AdminResponse.json(created ? 201 : 200, summary(topics.find(topic)));
    }

    private AdminResponse topicPath(AdminRequest r) {
        String[] parts = r.pathAfter("/api/v1/topics").split("/");
        Topic t = readable(r, parts[0]);
        if (parts.length == 1) {
            return AdminResponse.json(detail(t));
        }
        if (parts.length == 3 && parts[1].equals("messages")) {
            return AdminResponse.json(message(t, parseLong(parts[2], "offset")));
        }
        if (parts.length == 3 && parts[1].equals("subscriptions")) {
            Subscription s = subscription(t, parts[2]);
            Map<String, Object> out = subscriptionJson(s);
            out.put("consumerList", consumersJson(s));
            return AdminResponse.json(out);
        }
        if (parts.length == 4 && parts[1].equals("subscriptions") && parts[3].equals("dead-letters")) {
            subscription(t, parts[2]);
            Topic dlq = topics.find(Names.deadLetterTopic(t.name(), parts[2]));
            long from = parseLong(r.param("from", "0"), "from");
            int limit = (int) Math.min(MAX_LIMIT, Math.max(1, parseLong(r.param("limit", "100"), "limit")));
            List<Map<String, Object>> letters = new ArrayList<>();
            if (dlq != null) {
                for (StoredRecord record : Topics.deadLetters(dlq, dlq.find(Names.REPLAYED), from, limit)) {
                    letters.add(messageJson(dlq.name(), record));
                }
            }
            return AdminResponse.json(letters);
        }
        throw AdminException.notFound("No route " + r.path());
    }

    private static long parseLong(String s, String what) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw AdminException.badRequest(what + " '" + s + "' is not a number");
        }
    }

    private Map<String, Object> summary(Topic t) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", t.name());
        out.put("startOffset", t.log().startOffset());
        out.put("endOffset", t.log().durableOffset());
        out.put("diskBytes", t.log().sizeBytes());
        out.put("published", t.published.sum());
        out.put("duplicatesDropped", t.duplicatesDropped.sum());
        out.put("subscriptions", t.subscriptions().size());
        Map<String, Object> retention = new LinkedHashMap<>();
        retention.put("bytes", t.log().retentionBytes());
        retention.put("millis", t.log().retentionMillis());
        out.put("retention", retention);
        return out;
    }

    private Map<String, Object> detail(Topic t) {
        Map<String, Object> out = summary(t);
        List<Map<String, Object>> subs = new ArrayList<>();
        for (Subscription s : t.subscriptions()) {
            subs.add(subscriptionJson(s));
        }
        subs.sort(java.util.Comparator.comparing(m -> (String) m.get("name")));
        out.put("subscriptionList", subs);
        return out;
    }

    private static Map<String, Object> subscriptionJson(Subscription s) {
        Subscription.Counters c = s.counters();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", s.name());
        m.put("ackFloor", c.floor());
        m.put("lag", Math.max(0, c.ready() + c.unacknowledged()));
        m.put("ready", c.ready());
        m.put("unacknowledged", c.unacknowledged());
        m.put("consumers", c.consumers());
        m.put("delivered", c.delivered());
        m.put("redelivered", c.redelivered());
        m.put("acknowledged", c.acknowledged());
        m.put("nacked", c.nacked());
        m.put("deadLettered", c.deadLettered());
        m.put("expired", c.expired());
        m.put("filtered", c.filtered());
        m.put("oldestUnacknowledgedAgeSeconds", s.oldestUnacknowledgedAgeSeconds());
        return m;
    }

    private Map<String, Object> message(Topic t, long offset) {
        StoredRecord r = t.log().readAt(offset);
        if (r == null) {
            throw AdminException.notFound("No message at offset " + offset + " of topic " + t.name());
        }
        return messageJson(t.name(), r);
    }

    private static Map<String, Object> messageJson(String topic, StoredRecord r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("topic", topic);
        m.put("offset", r.offset());
        m.put("timestamp", r.timestamp());
        m.put("headers", r.headers());
        m.put("payloadBase64", Base64.getEncoder().encodeToString(r.payload()));
        return m;
    }
}
