package dev.courier.rpc.internal.protocol;

/**
 * A heartbeat frame (empty body): a ping when {@code response} is false, its pong otherwise. A ping
 * from the server with status {@link Status#SHUTTING_DOWN} is a "go away": the server is draining and
 * the client should route new calls elsewhere. Pings carry {@link Status#OK} otherwise.
 */
public record Heartbeat(long requestId, boolean response, Status status) {

    public Heartbeat(long requestId, boolean response) {
        this(requestId, response, Status.OK);
    }

    /** The frame a draining server sends on each connection. */
    public static Heartbeat goAway() {
        return new Heartbeat(0, false, Status.SHUTTING_DOWN);
    }
}
