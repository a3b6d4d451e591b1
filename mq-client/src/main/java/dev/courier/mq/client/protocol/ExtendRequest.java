package dev.courier.mq.client.protocol;

/** Moves the ack deadline of delivered offsets to {@code extendMillis} from now. */
public record ExtendRequest(String topic, String subscription, String consumerId, long[] offsets, long extendMillis) {}
