package dev.courier.rpc;

/**
 * No provider of the service was available: none registered, or every one draining, open-circuited or already tried.
 */
public class NoProviderException extends RpcException {

    private static final long serialVersionUID = 1L;

    public NoProviderException(String message) {
        super(message);
    }
}
