package dev.courier.registry.internal;

import dev.courier.registry.RegistryException;

/** The lease named in a request does not exist (it expired, or the registry lost it). */
public final class LeaseNotFoundException extends RegistryException {

    private static final long serialVersionUID = 1L;

    public LeaseNotFoundException(long leaseId) {
        super("lease " + leaseId + " not found");
    }
}
