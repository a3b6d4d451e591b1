package dev.courier.rpc.internal.protocol;

/** A heartbeat frame (empty body): a ping when {@code response} is false, its pong otherwise. */
public record Heartbeat(long requestId, boolean response) {
}
