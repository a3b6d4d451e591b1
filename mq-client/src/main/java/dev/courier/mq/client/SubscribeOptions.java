package dev.courier.mq.client;

import dev.courier.mq.client.protocol.StartPosition;

import java.time.Duration;
import java.util.Objects;

/**
 * How a subscription is consumed. Immutable; start from {@link #defaults()}.
 *
 * @param from       where a new subscription starts (default earliest)
 * @param prefetch   the most unacknowledged messages this consumer holds (default 100)
 * @param ackMode    automatic (default) or manual acknowledgement
 * @param ackTimeout a message not acknowledged within this is redelivered (default 30 s)
 * @param threads    handler threads (default 1, which keeps FIFO order)
 */
public record SubscribeOptions(StartPosition from, int prefetch, AckMode ackMode, Duration ackTimeout, int threads) {

    /** When messages are acknowledged. */
    public enum AckMode {
        AUTO,
        MANUAL
    }

    public static SubscribeOptions defaults() {
        return new SubscribeOptions(StartPosition.EARLIEST, 100, AckMode.AUTO, Duration.ofSeconds(30), 1);
    }

    public SubscribeOptions from(StartPosition v) {
        return new SubscribeOptions(Objects.requireNonNull(v), prefetch, ackMode, ackTimeout, threads);
    }

    public SubscribeOptions prefetch(int v) {
        if (v < 1) {
            throw new IllegalArgumentException("prefetch must be >= 1");
        }
        return new SubscribeOptions(from, v, ackMode, ackTimeout, threads);
    }

    public SubscribeOptions ackMode(AckMode v) {
        return new SubscribeOptions(from, prefetch, Objects.requireNonNull(v), ackTimeout, threads);
    }

    public SubscribeOptions ackTimeout(Duration v) {
        return new SubscribeOptions(from, prefetch, ackMode, v, threads);
    }

    public SubscribeOptions threads(int v) {
        if (v < 1) {
            throw new IllegalArgumentException("threads must be >= 1");
        }
        return new SubscribeOptions(from, prefetch, ackMode, ackTimeout, v);
    }
}
