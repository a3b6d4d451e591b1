package dev.courier.mq.client.protocol;

/**
 * A publish carried a message larger than the broker's maximum message size; nothing of its batch was
 * stored. Retrying cannot help.
 */
public final class MessageTooLargeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public MessageTooLargeException(String message) {
        super(message);
    }
}
