package dev.courier.mq.broker.storage;

/**
 * An idempotent producer's batch does not continue its sequence: an earlier batch is missing (it
 * failed or has not arrived). Nothing of the batch is stored; the producer resends from its oldest
 * unacknowledged message.
 */
public final class OutOfOrderSequenceException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public OutOfOrderSequenceException(String message) {
        super(message);
    }
}
