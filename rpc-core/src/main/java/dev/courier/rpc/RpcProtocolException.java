package dev.courier.rpc;

/**
 * A frame or value could not be encoded or decoded: malformed bytes, an oversized frame, or a class outside the
 * serialization allowlist.
 */
public class RpcProtocolException extends RpcException {

    private static final long serialVersionUID = 1L;

    public RpcProtocolException(String message) {
        super(message);
    }

    public RpcProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
