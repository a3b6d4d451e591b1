package dev.courier.rpc.internal.client;

import dev.courier.rpc.ConnectionException;

/** No connection to the provider could be opened, so the call was never sent: safe to retry elsewhere. */
public final class ConnectFailedException extends ConnectionException {

    private static final long serialVersionUID = 1L;

    public ConnectFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
