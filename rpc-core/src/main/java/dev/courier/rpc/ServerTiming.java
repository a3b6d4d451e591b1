package dev.courier.rpc;

/**
 * How long the provider spent on one call, as it reported in the response, in microseconds.
 *
 * <ul>
 *   <li>{@code queueMicros}: from the moment the whole request frame had arrived until the method
 *       started: reading the arguments and waiting for the business pool.</li>
 *   <li>{@code execMicros}: the server interceptors and the method, until its result was ready (for an
 *       asynchronous method, until its future completed).</li>
 * </ul>
 * What the consumer measured beyond {@link #serverMicros()} is the network's share: writing and
 * reading the frames, the result's serialization, and the wire. Reported for calls whose method ran,
 * whether it returned or threw; a request refused before it ran carries no timing.
 *
 * <p>On the consumer: {@link Invocation#serverTiming()} for interceptors,
 * {@link CallContext#lastServerTiming()} after a synchronous call.
 */
public record ServerTiming(long queueMicros, long execMicros) {

    public ServerTiming {
        if (queueMicros < 0 || execMicros < 0) {
            throw new IllegalArgumentException(
                    "Negative server timing: queue " + queueMicros + " us, exec " + execMicros + " us");
        }
    }

    /** Queue and execution time together. */
    public long serverMicros() {
        return queueMicros + execMicros;
    }
}
