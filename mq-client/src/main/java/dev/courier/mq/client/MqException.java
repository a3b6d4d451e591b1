package dev.courier.mq.client;

/** A messaging operation failed for good (for example a send not acknowledged within its timeout). */
public class MqException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public MqException(String message) {
        super(message);
    }

    public MqException(String message, Throwable cause) {
        super(message, cause);
    }
}
