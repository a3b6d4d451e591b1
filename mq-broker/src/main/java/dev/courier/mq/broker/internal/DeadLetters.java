package dev.courier.mq.broker.internal;

import dev.courier.mq.broker.storage.StoredRecord;

import java.util.concurrent.CompletableFuture;

/** Moves a message that failed too often to its subscription's dead-letter topic. */
interface DeadLetters {

    /** Header names on a dead-lettered record. */
    String DELIVERIES = "courier.deliveries";

    String FAILURE = "courier.failure";
    String SOURCE_TOPIC = "courier.source.topic";
    String SOURCE_SUBSCRIPTION = "courier.source.subscription";
    String SOURCE_OFFSET = "courier.source.offset";

    /** Completes once the copy is durable in the dead-letter topic. */
    CompletableFuture<Void> send(String topic, String subscription, StoredRecord record, int deliveries, String reason);
}
