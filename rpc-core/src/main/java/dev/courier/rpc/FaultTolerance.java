package dev.courier.rpc;

import java.util.Arrays;
import java.util.Locale;

/** What a reference does when a call to a provider fails. */
public enum FaultTolerance {
    /**
     * Retry on another provider (default 2 retries, within the deadline and the retry budget): always
     * when the call provably did not run, otherwise only for {@link Idempotent} methods.
     */
    FAILOVER,
    /** One attempt; its error goes to the caller. */
    FAILFAST,
    /** One attempt; an error is logged and the caller gets the return type's default (null, 0, false). */
    FAILSAFE,
    /** Send to several providers at once; the first success wins. */
    FORKING;

    /** Parses a name case-insensitively; an unknown name fails with the known ones listed. */
    public static FaultTolerance parse(String name) {
        for (FaultTolerance f : values()) {
            if (f.name().equalsIgnoreCase(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("Unknown fault tolerance '" + name + "'; use one of "
                + Arrays.toString(values()).toLowerCase(Locale.ROOT));
    }
}
