package dev.courier.mq.client.protocol;

import java.util.List;

/** The messages delivered by one {@link BrokerService#fetch} (possibly none). */
public record FetchResult(List<Delivery> messages) {}
