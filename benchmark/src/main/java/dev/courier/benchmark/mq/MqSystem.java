package dev.courier.benchmark.mq;

import org.HdrHistogram.Histogram;

import java.nio.file.Path;

/** A durable-publish system under test, with its data in a directory it owns for the run. */
public interface MqSystem extends AutoCloseable {

    /** The name printed in results. */
    String name();

    /** Starts the system with its data under {@code dataDir}. */
    void start(Path dataDir) throws Exception;

    /** Publishes {@code payload}, returning once it is durable (acknowledged after fsync). */
    void publishDurably(byte[] payload) throws Exception;

    /**
     * Starts recording end-to-end latency (publish to delivery) of the messages published from now
     * on, whose payloads begin with {@link System#nanoTime()} as 8 big-endian bytes; returns the
     * histogram in microseconds being filled, or {@code null} when publish latency is the end-to-end
     * latency (nothing is delivered).
     */
    Histogram startEndToEnd() throws Exception;

    /**
     * Starts the keyed scenario, or answers null when the system has none: a new key-ordered subscription with
     * {@code consumers} competing consumers, fed by {@link Keyed#publish}, recording end-to-end latency and
     * counting messages of a key delivered out of publish order.
     */
    default Keyed startKeyed(int keys, int consumers) throws Exception {
        return null;
    }

    /** A running keyed scenario. */
    interface Keyed {
        /** Publishes the next message (keys in turn, stamped with the send time), returning once it is durable. */
        void publish(byte[] payload) throws Exception;

        /** End-to-end latency in microseconds. */
        Histogram latency();

        /** Messages that arrived before an earlier one of their key. */
        long outOfOrder();

        /** Forgets what was recorded so far (the warm-up). */
        void reset();
    }

    /**
     * Starts the delayed scenario, or answers null when the system has none: a new subscription receiving
     * messages published with delays spread over {@code 0..maxDelayMillis}, recording how late each arrives.
     */
    default Delayed startDelayed(long maxDelayMillis) throws Exception {
        return null;
    }

    /** A running delayed scenario. */
    interface Delayed {
        /** Publishes a message with the next delay (payload at least 16 bytes), returning once it is durable. */
        void publish(byte[] payload) throws Exception;

        /** How late messages arrived after their due time, in microseconds. */
        Histogram lateness();

        /** Messages that arrived before their due time. */
        long early();

        /** Messages published and received since the last {@link #reset}. */
        long published();

        long received();

        /** Forgets what was recorded so far (the warm-up). */
        void reset();
    }

    @Override
    void close() throws java.io.IOException;

    static MqSystem named(String name) {
        return switch (name) {
            case "courier" -> new CourierMq();
            case "disk-limit" -> new DiskLimitMq();
            case "kafka" -> new KafkaMq();
            default -> throw new IllegalArgumentException("Unknown system '" + name + "'; known: " + KNOWN);
        };
    }

    java.util.List<String> KNOWN = java.util.List.of("courier", "kafka", "disk-limit");
}
