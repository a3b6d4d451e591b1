package dev.courier.mq.client.protocol;

/** Where a new subscription starts reading its topic. */
public enum StartPosition {
    /** At the earliest message still retained (the default). */
    EARLIEST,
    /** After the last message published so far. */
    LATEST
}
