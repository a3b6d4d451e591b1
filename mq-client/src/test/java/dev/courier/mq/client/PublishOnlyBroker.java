package dev.courier.mq.client;

import dev.courier.mq.client.protocol.AckRequest;
import dev.courier.mq.client.protocol.BrokerService;
import dev.courier.mq.client.protocol.CreateTopicRequest;
import dev.courier.mq.client.protocol.ExtendRequest;
import dev.courier.mq.client.protocol.FetchRequest;
import dev.courier.mq.client.protocol.FetchResult;
import dev.courier.mq.client.protocol.NackRequest;
import dev.courier.mq.client.protocol.SeekRequest;
import dev.courier.mq.client.protocol.SubscribeRequest;
import dev.courier.mq.client.protocol.SubscriptionStats;
import dev.courier.mq.client.protocol.TopicInfo;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A fake broker for producer tests: subclasses answer {@code publish}; every other call is unsupported. */
abstract class PublishOnlyBroker implements BrokerService {

    @Override
    public SubscriptionStats subscribe(SubscribeRequest request) {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<FetchResult> fetch(FetchRequest request) {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<Integer> ack(AckRequest request) {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<Integer> nack(NackRequest request) {
        throw new UnsupportedOperationException();
    }

    @Override
    public int extendDeadline(ExtendRequest request) {
        throw new UnsupportedOperationException();
    }

    @Override
    public int detach(String topic, String subscription, String consumerId) {
        throw new UnsupportedOperationException();
    }

    @Override
    public int acknowledgeLoss(String topic, String subscription, long fromOffset, long toOffset) {
        throw new UnsupportedOperationException();
    }

    @Override
    public SubscriptionStats stats(String topic, String subscription) {
        throw new UnsupportedOperationException();
    }

    @Override
    public java.util.List<TopicInfo> topics() {
        throw new UnsupportedOperationException();
    }

    @Override
    public TopicInfo topic(String topic) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean createTopic(CreateTopicRequest request) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean deleteTopic(String topic) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean deleteSubscription(String topic, String subscription) {
        throw new UnsupportedOperationException();
    }

    @Override
    public long seek(SeekRequest request) {
        throw new UnsupportedOperationException();
    }

    @Override
    public long purge(String topic, String subscription) {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<Integer> endTransaction(dev.courier.mq.client.protocol.EndTransactionRequest request) {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<List<dev.courier.mq.client.protocol.TransactionCheck>> pollTransactionChecks(
            String group, long waitMillis) {
        throw new UnsupportedOperationException();
    }
}
