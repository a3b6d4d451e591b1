package dev.courier.rpc;

import java.util.List;

/** {@link Courier} found misconfigured services or references at start-up; the message lists each and its fix. */
public class CourierConfigurationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public CourierConfigurationException(List<String> problems) {
        super("Courier cannot start:\n  - " + String.join("\n  - ", problems));
    }
}
