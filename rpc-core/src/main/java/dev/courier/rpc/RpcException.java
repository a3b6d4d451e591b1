package dev.courier.rpc;

/**
 * The base of every error a remote call ends with. A call always ends, within its deadline, with its
 * value or one of these subtypes:
 * {@link RpcTimeoutException}, {@link ConnectionException}, {@link ServerBusyException},
 * {@link ServiceNotFoundException}, {@link RemoteException}, {@link RpcProtocolException}.
 */
public class RpcException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public RpcException(String message) {
        super(message);
    }

    public RpcException(String message, Throwable cause) {
        super(message, cause);
    }
}
