package dev.courier.registry.coordination;

import dev.courier.registry.RegistryException;

/** The coordination session lapsed during a call; the next call opens a new one. */
public final class SessionLostException extends RegistryException {

    private static final long serialVersionUID = 1L;

    public SessionLostException(String message) {
        super(message);
    }
}
