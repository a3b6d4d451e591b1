package dev.courier.rpc.internal.cluster;

import dev.courier.rpc.ConnectionException;
import dev.courier.rpc.RpcProtocolException;
import dev.courier.rpc.RpcTimeoutException;
import dev.courier.rpc.ServerBusyException;
import dev.courier.rpc.internal.client.ConnectFailedException;
import dev.courier.rpc.internal.client.ConnectionDrainedException;

/** How the cluster treats an attempt's error. */
final class Failures {

    private Failures() {}

    /** The call provably never ran on the provider: no connection, or refused as busy, limited or draining. */
    static boolean notExecuted(Throwable t) {
        return t instanceof ConnectFailedException
                || t instanceof ConnectionDrainedException
                || t instanceof ServerBusyException;
    }

    /** Whether failover may try another provider. */
    static boolean retriable(Throwable t, boolean idempotent) {
        return notExecuted(t) || (idempotent && (t instanceof ConnectionException || t instanceof RpcTimeoutException));
    }

    /** Whether the error counts against the provider's circuit breaker. */
    static boolean breakerFailure(Throwable t) {
        return t instanceof ConnectionException
                || t instanceof RpcTimeoutException
                || t instanceof RpcProtocolException;
    }
}
