package dev.courier.rpc;

/** The provider exports no such service, or the service has no such method. */
public class ServiceNotFoundException extends RpcException {

    private static final long serialVersionUID = 1L;

    public ServiceNotFoundException(String message) {
        super(message);
    }

    public ServiceNotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}
