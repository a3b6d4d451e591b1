package dev.courier.mq.client.protocol;

/**
 * Moves a subscription to an offset, or to the first message stored at or after a time; exactly one of
 * the two is given.
 *
 * @param topic        the topic
 * @param subscription the subscription
 * @param offset       the offset to go on from, or null
 * @param timestamp    epoch milliseconds: go on from the first message the broker stored at or after it, or null
 */
public record SeekRequest(String topic, String subscription, Long offset, Long timestamp) {

    public SeekRequest {
        if ((offset == null) == (timestamp == null)) {
            throw new IllegalArgumentException("Give an offset or a timestamp, not both nor neither");
        }
    }

    public static SeekRequest toOffset(String topic, String subscription, long offset) {
        return new SeekRequest(topic, subscription, offset, null);
    }

    public static SeekRequest toTime(String topic, String subscription, long epochMillis) {
        return new SeekRequest(topic, subscription, null, epochMillis);
    }
}
