package dev.courier.registry;

/**
 * The registry refused a call: the caller's credentials are unknown, or its principal may not make
 * this call (for example register a provider). Not retried: the same call fails the same way.
 */
public class RegistryAccessDeniedException extends RegistryException {

    private static final long serialVersionUID = 1L;

    public RegistryAccessDeniedException(String message) {
        super(message);
    }
}
