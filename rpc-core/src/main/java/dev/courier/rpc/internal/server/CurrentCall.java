package dev.courier.rpc.internal.server;

import java.util.Map;

/** The attachments of the call a thread is running; behind {@link dev.courier.rpc.CallContext}. */
public final class CurrentCall {

    private static final ThreadLocal<Map<String, String>> CURRENT = new ThreadLocal<>();

    private CurrentCall() {
    }

    public static Map<String, String> attachments() {
        Map<String, String> m = CURRENT.get();
        return m == null ? Map.of() : m;
    }

    /** Sets the current attachments; returns the previous ones for {@link #restore}. */
    static Map<String, String> enter(Map<String, String> attachments) {
        Map<String, String> previous = CURRENT.get();
        CURRENT.set(attachments);
        return previous;
    }

    static void restore(Map<String, String> previous) {
        if (previous == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(previous);
        }
    }
}
