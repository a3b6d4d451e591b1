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

    /**
     * The broker's refusal of a bad request or of one its state does not allow (it threw
     * {@link IllegalArgumentException} or {@link IllegalStateException}) as an {@code MqException}; null for any
     * other remote failure.
     */
    static MqException refusal(dev.courier.rpc.RemoteException e) {
        String kind = e.remoteClassName();
        if (kind.equals(IllegalStateException.class.getName())
                || kind.equals(IllegalArgumentException.class.getName())) {
            return new MqException(e.remoteMessage(), e);
        }
        return null;
    }
}
