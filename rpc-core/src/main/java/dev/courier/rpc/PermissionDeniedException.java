package dev.courier.rpc;

/**
 * The caller's principal may not do what it asked: call a service or method it is not allowed
 * ({@link ExportOptions#allow}), or an operation a service refused by throwing this exception. The
 * call did not run. Service code may throw it: the caller receives a {@code PermissionDeniedException}
 * with the same message (not a {@link RemoteException}).
 */
public class PermissionDeniedException extends RpcException {

    private static final long serialVersionUID = 1L;

    public PermissionDeniedException(String message) {
        super(message);
    }
}
