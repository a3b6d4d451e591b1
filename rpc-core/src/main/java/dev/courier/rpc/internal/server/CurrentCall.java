package dev.courier.rpc.internal.server;

import dev.courier.rpc.PeerConnection;

import java.util.Map;

/** The attachments and connection of the call a thread is running; behind {@link dev.courier.rpc.CallContext}. */
public final class CurrentCall {

    private record State(Map<String, String> attachments, PeerConnection connection) {}

    private static final ThreadLocal<State> CURRENT = new ThreadLocal<>();

    private CurrentCall() {}

    public static Map<String, String> attachments() {
        State s = CURRENT.get();
        return s == null ? Map.of() : s.attachments();
    }

    /** The connection of the current call, or null outside a call. */
    public static PeerConnection connection() {
        State s = CURRENT.get();
        return s == null ? null : s.connection();
    }

    /** Sets the current call; returns the previous state for {@link #restore}. */
    static Object enter(Map<String, String> attachments, PeerConnection connection) {
        State previous = CURRENT.get();
        CURRENT.set(new State(attachments, connection));
        return previous;
    }

    static void restore(Object previous) {
        if (previous == null) {
            CURRENT.remove();
        } else {
            CURRENT.set((State) previous);
        }
    }
}
