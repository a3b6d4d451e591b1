package dev.courier.rpc;

import java.util.List;

/** {@link Courier} found misconfigured services or references at start-up; the message lists each and its fix. */
public class CourierConfigurationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The problems, each with its fix; not serialized with the exception. */
    private final transient List<String> problems;

    public CourierConfigurationException(List<String> problems) {
        super("Courier cannot start:\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    /** Each problem found, with its fix. */
    public List<String> problems() {
        return problems == null ? List.of() : problems;
    }
}
