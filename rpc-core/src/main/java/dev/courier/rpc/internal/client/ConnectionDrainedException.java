package dev.courier.rpc.internal.client;

import dev.courier.rpc.ConnectionException;

/**
 * The connection closed under a call after its provider announced it was draining. A draining provider
 * answers every call it accepted before closing (unless its drain timeout passes), so the call did not
 * run and may be retried elsewhere.
 */
public final class ConnectionDrainedException extends ConnectionException {

    private static final long serialVersionUID = 1L;

    public ConnectionDrainedException(String message, Throwable cause) {
        super(message, cause);
    }
}
