package dev.courier.serialization;

import dev.courier.serialization.internal.GadgetDenyList;

/**
 * A value could not be serialized or deserialized: its class is outside the allowlist, the bytes are
 * corrupt, or the codec failed. {@link #className()} names the offending class when one is known.
 */
public class SerializationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String className;

    public SerializationException(String message) {
        this(message, null, null);
    }

    public SerializationException(String message, Throwable cause) {
        this(message, null, cause);
    }

    public SerializationException(String message, String className, Throwable cause) {
        super(message, cause);
        this.className = className;
    }

    /**
     * Returns an exception saying that {@code className} is outside the allowlist, or, for a class on
     * the built-in gadget deny-list, that it is always refused.
     */
    public static SerializationException notAllowed(String className) {
        String entry = GadgetDenyList.entryFor(className);
        if (entry != null) {
            return new SerializationException(
                    "Class " + className + " is refused: it is on the serialization"
                            + " deny-list of known deserialization gadgets (" + entry
                            + "), which no allowlist overrides",
                    className,
                    null);
        }
        return new SerializationException(
                "Class " + className + " is not in the serialization allowlist;"
                        + " register it with TypeAllowlist.Builder.allow(...) or use it in an exported service "
                        + "interface",
                className,
                null);
    }

    /** The class this failure is about, or {@code null} when none is known. */
    public String className() {
        return className;
    }
}
