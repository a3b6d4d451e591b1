package dev.courier.rpc;

/**
 * Wraps every call a server runs, on the thread that runs it. {@link Chain#proceed} returns the
 * method's result, which for asynchronous methods is a {@link java.util.concurrent.CompletionStage}.
 * Implementations must be thread-safe.
 */
@FunctionalInterface
public interface ServerInterceptor {

    Object intercept(Invocation invocation, Chain chain) throws Throwable;

    /** The rest of the chain, ending in the service method. */
    interface Chain {
        Object proceed(Invocation invocation) throws Throwable;
    }
}
