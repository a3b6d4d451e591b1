package dev.courier.rpc;

import dev.courier.rpc.internal.client.LastServerTiming;
import dev.courier.rpc.internal.server.CurrentCall;

import java.util.Map;

/**
 * The attachments and connection of the call the current thread is serving, for service code on a
 * provider: {@code CallContext.attachment("trace-id")}, {@code CallContext.principal()},
 * {@code CallContext.connection()}. Set while the
 * service method (and the server interceptors) run; empty elsewhere. For asynchronous methods only the
 * synchronous part sees it. On a consumer, {@link #lastServerTiming()} tells how long the provider
 * took on the thread's last synchronous call.
 */
public final class CallContext {

    private CallContext() {}

    /** The current call's attachment {@code key}, or {@code null}. */
    public static String attachment(String key) {
        return CurrentCall.attachments().get(key);
    }

    /**
     * On the consumer: the provider's timing of the last synchronous call this thread made through a
     * reference, once that call has returned or thrown; {@code null} before the first, or when that
     * call's method ran on no provider. Asynchronous calls leave it alone: read
     * {@link Invocation#serverTiming()} in a {@link ClientInterceptor} for those.
     */
    public static ServerTiming lastServerTiming() {
        return LastServerTiming.get();
    }

    /** The current call's attachments (read-only; empty outside a call). */
    public static Map<String, String> attachments() {
        return CurrentCall.attachments();
    }

    /**
     * The principal of the current call's connection ({@link PeerConnection#principal()}): the name in
     * the client's certificate with mutual TLS, or the principal of its bearer token; {@code null} when
     * the caller is anonymous or outside a call.
     */
    public static String principal() {
        PeerConnection c = CurrentCall.connection();
        return c == null ? null : c.principal();
    }

    /**
     * The connection the current call arrived on, or {@code null} outside a call. Use
     * {@link PeerConnection#onClose} to release what a client holds as soon as its connection drops.
     */
    public static PeerConnection connection() {
        return CurrentCall.connection();
    }
}
