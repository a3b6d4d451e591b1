package dev.courier.rpc;

import java.util.concurrent.CompletableFuture;

/**
 * Wraps every call a reference makes, before load balancing and retries (one interception per call,
 * however many attempts it takes). Must call {@link Chain#proceed} at most once, or complete the
 * returned future itself. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface ClientInterceptor {

    CompletableFuture<Object> intercept(Invocation invocation, Chain chain);

    /** The rest of the chain. */
    interface Chain {
        CompletableFuture<Object> proceed(Invocation invocation);
    }
}
