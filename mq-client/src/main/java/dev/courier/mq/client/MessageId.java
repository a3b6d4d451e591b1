package dev.courier.mq.client;

/** Where the broker stored a message: its topic and offset. */
public record MessageId(String topic, long offset) {

    @Override
    public String toString() {
        return topic + "@" + offset;
    }
}
