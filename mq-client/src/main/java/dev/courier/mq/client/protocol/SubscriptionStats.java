package dev.courier.mq.client.protocol;

/**
 * A subscription's state.
 *
 * @param ackFloor   every offset below it is acknowledged
 * @param endOffset  one past the topic's last durable message
 * @param backlog    messages at or above the floor not yet acknowledged
 * @param inFlight   messages delivered and awaiting acknowledgement
 * @param consumers  consumers currently attached
 * @param deadLettered messages moved to the dead-letter topic since the broker started
 * @param missing    offsets the broker has no readable record for (damaged on disk), passed over but not
 *                   acknowledged until an operator acknowledges the loss; they count in the backlog
 */
public record SubscriptionStats(
        long ackFloor, long endOffset, long backlog, int inFlight, int consumers, long deadLettered, long missing) {

    /** Stats with nothing missing. */
    public SubscriptionStats(
            long ackFloor, long endOffset, long backlog, int inFlight, int consumers, long deadLettered) {
        this(ackFloor, endOffset, backlog, inFlight, consumers, deadLettered, 0);
    }
}
