package dev.courier.mq.client;

import dev.courier.mq.client.protocol.BrokerService;
import dev.courier.mq.client.protocol.CreateTopicRequest;
import dev.courier.mq.client.protocol.SeekRequest;
import dev.courier.mq.client.protocol.TopicInfo;
import dev.courier.rpc.RemoteException;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Topic and subscription admin over the broker connection, as Kafka's {@code AdminClient} is: list topics
 * with their subscriptions' backlog, create a topic with its retention, delete a topic or a subscription,
 * seek a subscription to an offset or a time (replay), purge. Obtained from {@link MqClient#admin()};
 * thread-safe.
 *
 * <p>Each call needs ADMIN on the topic when the broker has topic rules (creating one needs CREATE); a
 * refusal throws {@link dev.courier.rpc.PermissionDeniedException}. A change the broker refuses in the
 * state it is in (a seek or a delete while consumers are attached, an unknown subscription, a bad name
 * or limit) throws {@link MqException} with the broker's reason.
 */
public final class MqAdmin {

    private final BrokerService broker;

    MqAdmin(BrokerService broker) {
        this.broker = broker;
    }

    /** The topics this client may administer, by name, with their subscriptions. */
    public List<TopicInfo> topics() {
        return call(broker::topics);
    }

    /** One topic and its subscriptions; empty when there is none. */
    public Optional<TopicInfo> topic(String topic) {
        return Optional.ofNullable(call(() -> broker.topic(topic)));
    }

    /** Creates a topic with the broker's configured retention; false if it existed. */
    public boolean createTopic(String topic) {
        return call(() -> broker.createTopic(new CreateTopicRequest(topic)));
    }

    /**
     * Creates a topic with its own retention limits (-1: no limit), stored with the topic; for a topic that
     * exists, sets them. False if it existed.
     */
    public boolean createTopic(String topic, long retentionBytes, long retentionMillis) {
        return call(() -> broker.createTopic(new CreateTopicRequest(topic, retentionBytes, retentionMillis)));
    }

    /**
     * Creates a topic with the limits the request gives (a null limit: the one in force, the broker's
     * configuration for a new topic); for a topic that exists, sets the limits given. False if it existed.
     */
    public boolean createTopic(CreateTopicRequest request) {
        return call(() -> broker.createTopic(request));
    }

    /** Deletes a topic and its files (its dead-letter topics stay); false if there was none. */
    public boolean deleteTopic(String topic) {
        return call(() -> broker.deleteTopic(topic));
    }

    /** Deletes a subscription; refused while consumers are attached. False if there was none. */
    public boolean deleteSubscription(String topic, String subscription) {
        return call(() -> broker.deleteSubscription(topic, subscription));
    }

    /** Moves a subscription to {@code offset}; answers where it goes on from. Refused while consumers are attached. */
    public long seek(String topic, String subscription, long offset) {
        return call(() -> broker.seek(SeekRequest.toOffset(topic, subscription, offset)));
    }

    /** Moves a subscription to the first message stored at or after {@code time} (a replay from then on). */
    public long seek(String topic, String subscription, Instant time) {
        return call(() -> broker.seek(SeekRequest.toTime(topic, subscription, time.toEpochMilli())));
    }

    /** Acknowledges everything the subscription has stored now; answers how many were not acknowledged. */
    public long purge(String topic, String subscription) {
        return call(() -> broker.purge(topic, subscription));
    }

    /** Runs a broker call, turning the broker's refusal of a bad request or state into {@link MqException}. */
    private static <T> T call(Supplier<T> call) {
        try {
            return call.get();
        } catch (RemoteException e) {
            MqException refused = MqException.refusal(e);
            throw refused != null ? refused : e;
        }
    }
}
