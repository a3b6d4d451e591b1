package dev.courier.mq.broker.internal;

import dev.courier.mq.broker.Authorizer;
import dev.courier.mq.broker.Authorizer.Action;
import dev.courier.mq.broker.storage.AppendRecord;
import dev.courier.mq.broker.storage.RecordMeta;
import dev.courier.mq.broker.storage.TopicLog;
import dev.courier.mq.client.protocol.AckRequest;
import dev.courier.mq.client.protocol.BrokerService;
import dev.courier.mq.client.protocol.CreateTopicRequest;
import dev.courier.mq.client.protocol.EndTransactionRequest;
import dev.courier.mq.client.protocol.ExtendRequest;
import dev.courier.mq.client.protocol.FetchRequest;
import dev.courier.mq.client.protocol.FetchResult;
import dev.courier.mq.client.protocol.MessageProperties;
import dev.courier.mq.client.protocol.MessageTooLargeException;
import dev.courier.mq.client.protocol.NackRequest;
import dev.courier.mq.client.protocol.PublishRequest;
import dev.courier.mq.client.protocol.PublishResult;
import dev.courier.mq.client.protocol.SeekRequest;
import dev.courier.mq.client.protocol.StartPosition;
import dev.courier.mq.client.protocol.SubscribeRequest;
import dev.courier.mq.client.protocol.SubscriptionInfo;
import dev.courier.mq.client.protocol.SubscriptionStats;
import dev.courier.mq.client.protocol.TopicInfo;
import dev.courier.mq.client.protocol.TransactionCheck;
import dev.courier.rpc.CallContext;
import dev.courier.rpc.PeerConnection;
import dev.courier.rpc.PermissionDeniedException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Serves {@link BrokerService} calls from the topics of a {@link Topics}. Every call first asks the
 * {@link Authorizer} about the caller's principal, the topic and the action (and {@link Action#CREATE}
 * when the topic does not exist yet); a refusal ends the call with {@link PermissionDeniedException}
 * before anything changes. Thread-safe.
 */
public final class BrokerServiceImpl implements BrokerService {

    private final Topics topics;
    private final Authorizer authorizer;
    private final ConsumerConnections connections = new ConsumerConnections();
    private final ClientConnections clients = new ClientConnections();

    public BrokerServiceImpl(Topics topics) {
        this(topics, Authorizer.allowAll());
    }

    public BrokerServiceImpl(Topics topics, Authorizer authorizer) {
        this.topics = topics;
        this.authorizer = authorizer;
    }

    /** Refuses the call unless the caller may do {@code action} on {@code topic} (and create it if missing). */
    private void check(String topic, Action action, boolean creates) {
        clients.seen(CallContext.connection());
        String principal = CallContext.principal();
        if (!authorizer.allowed(principal, topic, action)) {
            throw denied(principal, action, topic);
        }
        if (creates && topics.find(topic) == null && !authorizer.allowed(principal, topic, Action.CREATE)) {
            throw denied(principal, Action.CREATE, topic);
        }
    }

    private static PermissionDeniedException denied(String principal, Action action, String topic) {
        return new PermissionDeniedException(
                (principal == null ? "An anonymous caller" : "Principal '" + principal + "'") + " may not "
                        + action.name().toLowerCase(java.util.Locale.ROOT) + " topic '" + topic + "'");
    }

    @Override
    public CompletableFuture<PublishResult> publish(PublishRequest request) {
        check(request.topic(), Action.PUBLISH, true);
        List<byte[]> payloads = request.payloads();
        if (request.properties() != null && request.properties().size() != payloads.size()) {
            throw new IllegalArgumentException("A batch of " + payloads.size() + " payloads with "
                    + request.properties().size() + " properties; nothing of it was stored");
        }
        int max = topics.config().maxMessageBytes();
        for (int i = 0; i < payloads.size(); i++) {
            MessageProperties p = request.properties(i);
            long size = payloads.get(i).length + (p == null ? 0 : p.validate());
            if (size > max) {
                throw new MessageTooLargeException("Message " + i + " of the batch to " + request.topic() + " has "
                        + size + " bytes (body, key and headers); the broker takes at most " + max
                        + " (max.message.bytes); nothing of the batch was stored");
            }
        }
        String transaction = request.transaction();
        if (transaction != null) {
            Names.check("transaction", transaction);
            Names.check("producer group", request.group());
        }
        Topic topic = topics.topic(request.topic(), CallContext.principal());
        long now = topics.config().clock().getAsLong(); // the clock subscriptions expire messages by
        List<AppendRecord> records = new ArrayList<>(payloads.size());
        boolean delayed = false;
        for (int i = 0; i < payloads.size(); i++) {
            RecordMeta meta = metaOf(request.properties(i), now);
            delayed |= meta.deliverAt() != 0;
            records.add(new AppendRecord(
                    request.producerId(),
                    request.firstSequence() + i,
                    headersOf(request.properties(i)),
                    payloads.get(i),
                    meta));
        }
        if (transaction != null) {
            return publishHalf(topic, request, records);
        }
        if (delayed) {
            // the schedule exists before the first delayed message is stored, and takes each once it is durable
            CompletableFuture<Void> ready = topic.ensureDelays();
            return topic.append(records)
                    .thenCompose(appended -> stored(topic, appended)
                            .thenCombine(ready, (result, v) -> result)
                            .thenApply(result -> {
                                scheduleDelayed(topic, records, appended);
                                return result;
                            }));
        }
        return topic.append(records).thenCompose(appended -> stored(topic, appended));
    }

    /** Half messages: stored with the transaction's headers, acknowledged once durable and in its table. */
    private static CompletableFuture<PublishResult> publishHalf(
            Topic topic, PublishRequest request, List<AppendRecord> records) {
        List<AppendRecord> halves = new ArrayList<>(records.size());
        for (AppendRecord r : records) {
            if (r.meta().deliverAt() != 0) {
                throw new IllegalArgumentException("A message in a transaction cannot be delayed");
            }
            Map<String, String> headers = new java.util.LinkedHashMap<>(r.headers());
            headers.put(Transactions.TXN, request.transaction());
            headers.put(Transactions.GROUP, request.group());
            halves.add(new AppendRecord(0, 0, headers, r.payload(), r.meta()));
        }
        CompletableFuture<Void> ready = topic.ensureTransactions();
        return topic.append(halves)
                .thenCompose(appended -> stored(topic, appended)
                        .thenCombine(ready, (result, v) -> result)
                        .thenApply(result -> {
                            topic.halfMessages(request.transaction(), request.group(), appended.offsets());
                            return result;
                        }));
    }

    @Override
    public CompletableFuture<Integer> endTransaction(EndTransactionRequest request) {
        check(request.topic(), Action.PUBLISH, false);
        Names.check("transaction", request.transaction());
        Topic topic = topics.find(request.topic());
        if (topic == null) {
            return CompletableFuture.completedFuture(0);
        }
        // reads the half messages: on the delivery pool, not the I/O thread
        return CompletableFuture.supplyAsync(
                        () -> topic.endTransaction(request.transaction(), request.commit()), topics.delivery())
                .thenCompose(f -> f);
    }

    @Override
    public CompletableFuture<List<TransactionCheck>> pollTransactionChecks(String group, long waitMillis) {
        clients.seen(CallContext.connection());
        Names.check("producer group", group);
        String principal = CallContext.principal();
        return topics.pollTransactionChecks(
                group,
                Math.min(waitMillis, MAX_CHECK_WAIT_MILLIS),
                topic -> authorizer.allowed(principal, topic, Action.PUBLISH));
    }

    /** The longest a checker's poll waits. */
    static final long MAX_CHECK_WAIT_MILLIS = 60_000;

    private static void scheduleDelayed(Topic topic, List<AppendRecord> records, TopicLog.Appended appended) {
        int n = 0;
        long[] offsets = new long[records.size()];
        long[] due = new long[records.size()];
        for (int i = 0; i < records.size(); i++) {
            long at = records.get(i).meta().deliverAt();
            if (at != 0 && !appended.duplicates()[i]) { // a duplicate was scheduled when it was first stored
                offsets[n] = appended.offsets()[i];
                due[n++] = at;
            }
        }
        topic.scheduleDelayed(java.util.Arrays.copyOf(offsets, n), java.util.Arrays.copyOf(due, n));
    }

    /** Completes once the appended records are durable, counting them. */
    private static CompletableFuture<PublishResult> stored(Topic topic, TopicLog.Appended appended) {
        int duplicates = 0;
        for (boolean d : appended.duplicates()) {
            duplicates += d ? 1 : 0;
        }
        PublishResult result = new PublishResult(appended.offsets(), duplicates);
        int stored = appended.offsets().length - duplicates;
        int dropped = duplicates;
        return appended.durable().thenApply(v -> {
            topic.published.add(stored);
            topic.duplicatesDropped.add(dropped);
            return result;
        });
    }

    private static Map<String, String> headersOf(MessageProperties p) {
        return p == null ? Map.of() : p.headers();
    }

    /**
     * What the log stores of a message's properties at {@code now}: its due time, and its expiry counted from
     * when it is due.
     */
    private static RecordMeta metaOf(MessageProperties p, long now) {
        if (p == null) {
            return RecordMeta.NONE;
        }
        long deliverAt = p.delayMillis() > 0 ? now + p.delayMillis() : 0;
        long expiresAt = p.timeToLiveMillis() > 0 ? Math.max(now, deliverAt) + p.timeToLiveMillis() : 0;
        return new RecordMeta(p.key(), p.timestamp(), deliverAt, expiresAt);
    }

    @Override
    public SubscriptionStats subscribe(SubscribeRequest request) {
        check(request.topic(), Action.CONSUME, true);
        String principal = CallContext.principal();
        Topic topic = topics.topic(request.topic(), principal);
        StartPosition from = request.from() == null ? StartPosition.EARLIEST : request.from();
        return topic.subscription(request.subscription(), from, principal, false, request.spec())
                .stats();
    }

    @Override
    public CompletableFuture<FetchResult> fetch(FetchRequest request) {
        check(request.topic(), Action.CONSUME, true);
        Names.check("consumer id", request.consumerId());
        PeerConnection connection = CallContext.connection();
        String principal = CallContext.principal();
        // Called on the I/O thread; the fetch reads the log (and may create the subscription, forcing its
        // cursor file), so it runs on the delivery pool.
        return CompletableFuture.supplyAsync(
                        () -> {
                            Subscription s = topics.topic(request.topic(), principal)
                                    .subscription(request.subscription(), StartPosition.EARLIEST, principal, false);
                            CompletableFuture<FetchResult> result = s.fetch(request);
                            connections.fetchedThrough(connection, s, request.consumerId());
                            return result;
                        },
                        topics.delivery())
                .thenCompose(r -> r);
    }

    @Override
    public CompletableFuture<Integer> ack(AckRequest request) {
        check(request.topic(), Action.CONSUME, false);
        Subscription s = existing(request.topic(), request.subscription());
        return CompletableFuture.completedFuture(s.ack(request.consumerId(), request.offsets()));
    }

    @Override
    public CompletableFuture<Integer> nack(NackRequest request) {
        check(request.topic(), Action.CONSUME, false);
        Subscription s = existing(request.topic(), request.subscription());
        String reason = request.reason() == null ? "nacked" : request.reason();
        return CompletableFuture.completedFuture(
                s.nack(request.consumerId(), request.offsets(), request.delayMillis(), reason));
    }

    @Override
    public int extendDeadline(ExtendRequest request) {
        check(request.topic(), Action.CONSUME, false);
        return existing(request.topic(), request.subscription())
                .extend(request.consumerId(), request.offsets(), request.extendMillis());
    }

    @Override
    public int detach(String topic, String subscription, String consumerId) {
        check(topic, Action.CONSUME, false);
        Subscription s = existing(topic, subscription);
        connections.detached(CallContext.connection(), s, consumerId);
        return s.detach(consumerId, "consumer detached");
    }

    @Override
    public SubscriptionStats stats(String topic, String subscription) {
        clients.seen(CallContext.connection());
        String principal = CallContext.principal();
        if (!authorizer.allowed(principal, topic, Action.CONSUME)
                && !authorizer.allowed(principal, topic, Action.ADMIN)) {
            throw denied(principal, Action.ADMIN, topic);
        }
        Topic t = topics.find(topic);
        Subscription s = t == null ? null : t.find(subscription);
        return s == null ? null : s.stats();
    }

    @Override
    public int acknowledgeLoss(String topic, String subscription, long fromOffset, long toOffset) {
        check(topic, Action.ADMIN, false);
        return existing(topic, subscription).acknowledgeLoss(fromOffset, toOffset);
    }

    @Override
    public List<TopicInfo> topics() {
        clients.seen(CallContext.connection());
        String principal = CallContext.principal();
        List<TopicInfo> out = new ArrayList<>();
        for (String name : topics.names().stream().sorted().toList()) {
            Topic t = topics.find(name);
            if (t != null && authorizer.allowed(principal, name, Action.ADMIN)) {
                out.add(info(t));
            }
        }
        return out;
    }

    @Override
    public TopicInfo topic(String topic) {
        check(topic, Action.ADMIN, false);
        Topic t = topics.find(topic);
        return t == null ? null : info(t);
    }

    private static TopicInfo info(Topic t) {
        List<SubscriptionInfo> subscriptions = new ArrayList<>();
        for (Subscription s : t.subscriptions()) {
            subscriptions.add(new SubscriptionInfo(s.name(), s.stats(), s.spec()));
        }
        subscriptions.sort(java.util.Comparator.comparing(SubscriptionInfo::name));
        TopicLog log = t.log();
        return new TopicInfo(
                t.name(),
                log.startOffset(),
                log.durableOffset(),
                log.sizeBytes(),
                log.retentionBytes(),
                log.retentionMillis(),
                t.messageTtlMillis(),
                subscriptions);
    }

    @Override
    public boolean createTopic(CreateTopicRequest request) {
        String name = request.topic();
        Names.check("topic", name);
        for (Long limit : new Long[] {request.retentionBytes(), request.retentionMillis()}) {
            if (limit != null && limit < -1) {
                throw new IllegalArgumentException("Retention limits are >= 0, or -1 for no limit; got " + limit);
            }
        }
        Long ttl = request.messageTtlMillis();
        if (ttl != null && (ttl < -1 || ttl > MessageProperties.MAX_TIME_TO_LIVE_MILLIS)) {
            throw new IllegalArgumentException("A time to live is 0 (none) to "
                    + MessageProperties.MAX_TIME_TO_LIVE_MILLIS + " ms, or -1 for the broker's; got " + ttl);
        }
        boolean retention = request.retentionBytes() != null || request.retentionMillis() != null;
        boolean settings = retention || ttl != null;
        boolean exists = topics.find(name) != null;
        // creating needs CREATE (the creator chooses the settings); changing an existing topic's needs ADMIN
        check(name, exists && settings ? Action.ADMIN : Action.CREATE, false);
        if (exists && !settings) {
            return false;
        }
        boolean created = topics.createTopic(name);
        Topic t = topics.find(name);
        if (settings && t == null) {
            throw new IllegalStateException("Topic " + name + " was deleted while it was being created");
        }
        if (ttl != null) {
            t.messageTtl(ttl);
        }
        if (retention) {
            TopicLog log = t.log();
            t.retention(
                    request.retentionBytes() != null ? request.retentionBytes() : log.retentionBytes(),
                    request.retentionMillis() != null ? request.retentionMillis() : log.retentionMillis());
        }
        return created;
    }

    @Override
    public boolean deleteTopic(String topic) {
        check(topic, Action.ADMIN, false);
        return topics.deleteTopic(topic);
    }

    @Override
    public boolean deleteSubscription(String topic, String subscription) {
        check(topic, Action.ADMIN, false);
        Topic t = topics.find(topic);
        return t != null && t.deleteSubscription(subscription);
    }

    @Override
    public long seek(SeekRequest request) {
        check(request.topic(), Action.ADMIN, false);
        Topic t = topics.find(request.topic());
        Subscription s = existing(request.topic(), request.subscription());
        long offset = request.offset() != null ? request.offset() : t.offsetAt(request.timestamp());
        return s.seek(offset);
    }

    @Override
    public long purge(String topic, String subscription) {
        check(topic, Action.ADMIN, false);
        return existing(topic, subscription).purge();
    }

    /** The client connections and their consumers, for the admin API. */
    public BrokerAdminApi.Clients clientsView() {
        return new BrokerAdminApi.Clients(clients, connections);
    }

    private Subscription existing(String topic, String subscription) {
        Topic t = topics.find(topic);
        Subscription s = t == null ? null : t.find(subscription);
        if (s == null) {
            throw new IllegalArgumentException("No subscription " + subscription + " on topic " + topic);
        }
        return s;
    }
}
