package dev.courier.mq.broker.internal;

import dev.courier.admin.AdminException;
import dev.courier.admin.AdminRequest;
import dev.courier.admin.AdminResponse;
import dev.courier.admin.AdminServer;
import dev.courier.mq.broker.Authorizer;
import dev.courier.mq.broker.storage.LogConfig;
import dev.courier.mq.broker.storage.StoredRecord;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The broker's JSON API under {@code /api/v1} on its admin port (reads, and topic creation):
 *
 * <ul>
 *   <li>{@code GET /api/v1/overview}: topics, messages published, ready and unacknowledged, bytes on disk;</li>
 *   <li>{@code GET /api/v1/topics}, {@code POST /api/v1/topics} with {@code {"name": "orders"}};</li>
 *   <li>{@code GET /api/v1/topics/NAME}: offsets, size, retention, and each subscription with its lag
 *       (stored and not acknowledged), ready and unacknowledged counts, consumers and counters;</li>
 *   <li>{@code GET /api/v1/topics/NAME/messages/OFFSET}: one message, its payload in base64;</li>
 *   <li>{@code GET /api/v1/topics/NAME/subscriptions/SUB/dead-letters?from=0&limit=100}: the
 *       subscription's dead letters with the headers saying why.</li>
 * </ul>
 *
 * With authentication on the broker, a request carries a token the broker accepts, and its principal
 * needs {@link Authorizer.Action#ADMIN} on the topic it reads ({@code CREATE} to create one); lists show
 * the topics it may read. Handlers run on the admin port's pool; message reads go to disk there.
 */
public final class BrokerAdminApi {

    private static final int MAX_LIMIT = 1000;

    private final Topics topics;
    private final Authorizer authorizer;

    public BrokerAdminApi(Topics topics, Authorizer authorizer) {
        this.topics = topics;
        this.authorizer = authorizer;
    }

    /** Adds the routes to an admin port being built. */
    public AdminServer.Builder routes(AdminServer.Builder admin) {
        return admin.get("/api/v1/overview", this::overview)
                .get("/api/v1/topics", this::listTopics)
                .post("/api/v1/topics", this::createTopic)
                .get("/api/v1/topics/*", this::topicPath);
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
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("topics", count);
        out.put("published", published);
        out.put("ready", ready);
        out.put("unacknowledged", unacked);
        out.put("diskBytes", bytes);
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
        if (parts.length == 4 && parts[1].equals("subscriptions") && parts[3].equals("dead-letters")) {
            if (t.find(parts[2]) == null) {
                throw AdminException.notFound("No subscription " + parts[2] + " of topic " + t.name());
            }
            Topic dlq = topics.find(Names.deadLetterTopic(t.name(), parts[2]));
            long from = parseLong(r.param("from", "0"), "from");
            int limit = (int) Math.min(MAX_LIMIT, Math.max(1, parseLong(r.param("limit", "100"), "limit")));
            List<Map<String, Object>> letters = new ArrayList<>();
            if (dlq != null) {
                long start = Math.max(from, dlq.log().startOffset());
                for (StoredRecord record : dlq.log().read(start, limit, 8 << 20)) {
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
        LogConfig config = topics.config().logFor(t.name());
        Map<String, Object> retention = new LinkedHashMap<>();
        retention.put("bytes", config.retentionBytes());
        retention.put("millis", config.retentionMillis());
        out.put("retention", retention);
        return out;
    }

    private Map<String, Object> detail(Topic t) {
        Map<String, Object> out = summary(t);
        List<Map<String, Object>> subs = new ArrayList<>();
        for (Subscription s : t.subscriptions()) {
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
            subs.add(m);
        }
        out.put("subscriptionList", subs);
        return out;
    }

    private Map<String, Object> message(Topic t, long offset) {
        List<StoredRecord> r = t.log().read(offset, 1, 8 << 20);
        if (r.isEmpty() || r.get(0).offset() != offset) {
            throw AdminException.notFound("No message at offset " + offset + " of topic " + t.name());
        }
        return messageJson(t.name(), r.get(0));
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
