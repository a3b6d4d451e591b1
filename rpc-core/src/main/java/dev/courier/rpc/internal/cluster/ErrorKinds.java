package dev.courier.rpc.internal.cluster;

import dev.courier.rpc.ConnectionException;
import dev.courier.rpc.InvalidArgumentException;
import dev.courier.rpc.NoProviderException;
import dev.courier.rpc.RateLimitedException;
import dev.courier.rpc.RemoteException;
import dev.courier.rpc.RpcProtocolException;
import dev.courier.rpc.RpcTimeoutException;
import dev.courier.rpc.ServerBusyException;
import dev.courier.rpc.ServiceNotFoundException;

/** Names errors for metrics tags: a small fixed set. */
public final class ErrorKinds {

    private ErrorKinds() {}

    public static String of(Throwable t) {
        if (t == null) {
            return "ok";
        }
        if (t instanceof RemoteException) {
            return "remote";
        }
        if (t instanceof RpcTimeoutException) {
            return "timeout";
        }
        if (t instanceof RateLimitedException) {
            return "rate_limited";
        }
        if (t instanceof ServerBusyException) {
            return "busy";
        }
        if (t instanceof ConnectionException) {
            return "connection";
        }
        if (t instanceof NoProviderException) {
            return "no_provider";
        }
        if (t instanceof ServiceNotFoundException) {
            return "not_found";
        }
        if (t instanceof InvalidArgumentException) {
            return "invalid_argument";
        }
        if (t instanceof RpcProtocolException) {
            return "protocol";
        }
        return "other";
    }
}
