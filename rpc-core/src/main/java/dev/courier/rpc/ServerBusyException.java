package dev.courier.rpc;

/** The provider refused the call without running it because its business pool was full or it was shutting down. */
public class ServerBusyException extends RpcException {

    private static final long serialVersionUID = 1L;

    public ServerBusyException(String message) {
        super(message);
    }

    public ServerBusyException(String message, Throwable cause) {
        super(message, cause);
    }
}
