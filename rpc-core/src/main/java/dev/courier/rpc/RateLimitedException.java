package dev.courier.rpc;

/** The provider refused the call without running it: the service's or method's rate limit was reached. */
public class RateLimitedException extends ServerBusyException {

    private static final long serialVersionUID = 1L;

    public RateLimitedException(String message) {
        super(message);
    }
}
