package dev.courier.rpc;

/** The provider could not be reached, or the connection was lost or closed while the call was pending. */
public class ConnectionException extends RpcException {

    private static final long serialVersionUID = 1L;

    public ConnectionException(String message) {
        super(message);
    }

    public ConnectionException(String message, Throwable cause) {
        super(message, cause);
    }
}
