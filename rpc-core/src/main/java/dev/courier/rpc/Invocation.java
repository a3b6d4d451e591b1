package dev.courier.rpc;

import java.lang.reflect.Method;
import java.util.Map;

/**
 * One call as interceptors see it, on either side. On the consumer, {@link #attachments()} is mutable
 * and travels with the request; on the provider it holds what the consumer sent and is read-only.
 * Not thread-safe: an invocation belongs to one call.
 */
public interface Invocation {

    /** The service interface's name. */
    String service();

    String version();

    String group();

    /** The interface method called. */
    Method method();

    Object[] arguments();

    /** String key/value pairs sent from consumer to provider, e.g. a trace id. */
    Map<String, String> attachments();

    /** Milliseconds left of the call's deadline (0 or less: passed). */
    long remainingMillis();

    /**
     * On the consumer, once the call's future has completed: the provider's timing of the attempt that
     * answered, or {@code null} when no provider ran the method (refused, timed out, connection lost).
     * Always {@code null} on the provider, and before the call completes.
     */
    default ServerTiming serverTiming() {
        return null;
    }
}
