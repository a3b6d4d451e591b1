package dev.courier.rpc.internal.client;

import java.util.concurrent.CompletableFuture;

/** Where a reference's calls go after the interceptors: one address, or a cluster. Thread-safe. */
@FunctionalInterface
public interface CallTarget {

    /** Sends the call; the future completes with its value or error, never later than its deadline. */
    CompletableFuture<Object> call(ClientInvocation invocation);
}
