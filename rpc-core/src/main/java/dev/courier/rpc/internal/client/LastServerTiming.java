package dev.courier.rpc.internal.client;

import dev.courier.rpc.ServerTiming;

/** The server timing of the last synchronous call each thread made; behind {@link dev.courier.rpc.CallContext}. */
public final class LastServerTiming {

    private static final ThreadLocal<ServerTiming> LAST = new ThreadLocal<>();

    private LastServerTiming() {}

    public static ServerTiming get() {
        return LAST.get();
    }

    static void set(ServerTiming timing) {
        LAST.set(timing);
    }
}
