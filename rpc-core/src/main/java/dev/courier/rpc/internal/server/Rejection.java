package dev.courier.rpc.internal.server;

import dev.courier.rpc.internal.protocol.Status;

/**
 * A server-side refusal before the service method ran (rate limit, bulkhead, a generic call's arguments
 * that do not fit): answered with its status,
 * never as the service's own exception, so the consumer knows the call did not run.
 */
public final class Rejection extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Status status;

    public Rejection(Status status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public Status status() {
        return status;
    }

    /** A metrics name: {@code rate_limited}, {@code invalid_argument}, {@code method_not_found} or {@code busy}. */
    public String kind() {
        return switch (status) {
            case RATE_LIMITED -> "rate_limited";
            case INVALID_ARGUMENT -> "invalid_argument";
            case METHOD_NOT_FOUND -> "method_not_found";
            default -> "busy";
        };
    }
}
