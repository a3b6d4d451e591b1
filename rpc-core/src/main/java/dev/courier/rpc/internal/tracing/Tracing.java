package dev.courier.rpc.internal.tracing;

import dev.courier.rpc.ClientInterceptor;
import dev.courier.rpc.ServerInterceptor;

/**
 * Whether OpenTelemetry's API is on the classpath, and the interceptors that trace calls with it. The
 * classes that name OpenTelemetry types are loaded only once it is known to be there: without it,
 * Courier runs as before and loads none of them.
 */
public final class Tracing {

    private static final boolean AVAILABLE = detect();

    private Tracing() {}

    private static boolean detect() {
        try {
            ClassLoader loader = Tracing.class.getClassLoader();
            Class.forName("io.opentelemetry.api.GlobalOpenTelemetry", false, loader);
            Class.forName("io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator", false, loader);
            Class.forName("io.opentelemetry.context.Context", false, loader);
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    public static boolean available() {
        return AVAILABLE;
    }

    /** The consumer's tracing interceptor, or null without OpenTelemetry. */
    public static ClientInterceptor client() {
        return AVAILABLE ? new TracingClientInterceptor() : null;
    }

    /** The provider's tracing interceptor, or null without OpenTelemetry. */
    public static ServerInterceptor server() {
        return AVAILABLE ? new TracingServerInterceptor() : null;
    }
}
