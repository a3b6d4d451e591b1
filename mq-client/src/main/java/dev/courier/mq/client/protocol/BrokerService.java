package dev.courier.mq.client.protocol;

import dev.courier.rpc.NonBlocking;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The broker's remote interface, served over rpc-core by the broker and called by {@code MqClient}.
 * Topics and subscriptions are created on first use. Methods returning a future answer when it
 * completes: {@link #publish} once the records are durable, {@link #fetch} once messages are
 * available or the wait passes.
 *
 * <p>Names of topics and subscriptions are 1 to 200 characters of {@code [A-Za-z0-9._-]}.
 */
public interface BrokerService {

    /**
     * Appends the payloads; completes with their offsets only once they are durable under the broker's
     * policy. Taken in on the broker's I/O thread (with {@code fsync=always}, forced on the topic's
     * appender thread in the same order), so one connection's publishes are stored in the order sent
     * and a producer may keep several in flight. For an idempotent producer (non-zero id) a
     * sequence already stored is answered as a duplicate with its original offset, and a batch that
     * skips sequences (an earlier one is missing) is refused whole, so a producer resending from its
     * oldest unacknowledged message never loses one.
     */
    @NonBlocking
    CompletableFuture<PublishResult> publish(PublishRequest request);

    /**
     * Commits or rolls back a transaction: its half messages are appended as messages subscriptions deliver,
     * or discarded; once durable, answers how many. Ending a transaction the broker does not know (ended
     * already, or rolled back unresolved) answers 0. Runs on the broker's delivery pool.
     */
    @NonBlocking
    CompletableFuture<Integer> endTransaction(EndTransactionRequest request);

    /**
     * A checker of producer group {@code group} waits up to {@code waitMillis} for transactions of the group
     * whose producer did not end them; it answers each with {@link #endTransaction} (or not, when it cannot
     * tell yet). Answers an empty list when the wait passes.
     */
    @NonBlocking
    CompletableFuture<List<TransactionCheck>> pollTransactionChecks(String group, long waitMillis);

    /** Creates the subscription if it does not exist (starting where the request says); answers its state. */
    SubscriptionStats subscribe(SubscribeRequest request);

    /**
     * Delivers up to {@code maxMessages} messages to the consumer, never leaving it with more than
     * {@code prefetch} unacknowledged; waits up to {@code waitMillis} when none is available.
     * Calling it also tells the broker the consumer is alive, and ties the consumer to the calling
     * connection: when that connection closes, the consumer is detached at once. Taken in on the
     * broker's I/O thread and handed to its delivery pool, which reads the log and parks the fetch
     * when there is nothing to deliver. A fetch of {@code maxMessages = 0} and {@code waitMillis = 0}
     * delivers nothing and only keeps the consumer's session (a heartbeat).
     */
    @NonBlocking
    CompletableFuture<FetchResult> fetch(FetchRequest request);

    /**
     * Acknowledges delivered offsets; answers how many were newly acknowledged. Runs on the broker's
     * I/O thread (an ack is an append to the subscription's cursor file, forced in the background).
     */
    @NonBlocking
    CompletableFuture<Integer> ack(AckRequest request);

    /** Gives offsets back for redelivery after a delay (0: the broker's backoff), recording the reason. */
    CompletableFuture<Integer> nack(NackRequest request);

    /** Pushes the ack deadline of delivered offsets {@code extendMillis} from now. */
    int extendDeadline(ExtendRequest request);

    /** The consumer leaves: its unacknowledged messages are redelivered at once. */
    int detach(String topic, String subscription, String consumerId);

    /**
     * An operator acknowledges that the offsets in {@code [fromOffset, toOffset)} of a subscription are
     * lost: offsets the broker found no readable record for (see {@link SubscriptionStats#missing()}),
     * which it never acknowledges on its own. Answers how many were acknowledged.
     */
    int acknowledgeLoss(String topic, String subscription, long fromOffset, long toOffset);

    /** The state of a subscription (or null when it does not exist); for its consumers and operators. */
    SubscriptionStats stats(String topic, String subscription);

    // Topic and subscription admin: each call needs ADMIN on the topic (createTopic: CREATE, and ADMIN
    // to set the retention of a topic that exists). They run on the broker's business pool.

    /** The topics the caller may administer, by name, each with its subscriptions. */
    List<TopicInfo> topics();

    /** One topic with its subscriptions, or null when there is none (or the caller may not administer it). */
    TopicInfo topic(String topic);

    /**
     * Creates the topic as an operator (no per-principal topic limit applies) unless it exists, and sets
     * the retention the request gives (stored with the topic, overriding the broker's configuration).
     *
     * @return true if the topic was created, false if it existed
     */
    boolean createTopic(CreateTopicRequest request);

    /**
     * Deletes the topic: closes it (appends and fetches in flight on it fail) and removes its files; its
     * dead-letter topics stay.
     *
     * @return false if there was no such topic
     */
    boolean deleteTopic(String topic);

    /**
     * Deletes a subscription and its cursor: what it had not acknowledged is no longer kept for it.
     * Refused ({@link IllegalStateException}) while consumers are attached, as deleting an active Kafka
     * consumer group is. Its dead-letter topic stays. A later fetch or subscribe of the name creates it anew.
     *
     * @return false if there was no such subscription
     */
    boolean deleteSubscription(String topic, String subscription);

    /**
     * Moves a subscription to an offset (clamped to what the log holds) or to the first message stored at
     * or after a time: below it everything counts as acknowledged, from it on everything is delivered again
     * (a replay). Refused ({@link IllegalStateException}) while consumers are attached.
     *
     * @return the offset the subscription goes on from
     */
    long seek(SeekRequest request);

    /**
     * Acknowledges everything the subscription has stored now, messages held by consumers too.
     *
     * @return how many messages were not acknowledged before
     */
    long purge(String topic, String subscription);
}
