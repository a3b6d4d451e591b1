package dev.courier.rpc;

/**
 * The remote service method threw. Carries the remote exception's class name, message and stack
 * trace; the remote stack is also attached as this exception's cause so that logs show both sides.
 */
public class RemoteException extends RpcException {

    private static final long serialVersionUID = 1L;

    private final String remoteClassName;
    private final String remoteMessage;

    public RemoteException(String remoteClassName, String remoteMessage, StackTraceElement[] remoteStack) {
        super(remoteClassName + ": " + remoteMessage, new RemoteStack(remoteClassName, remoteMessage, remoteStack));
        this.remoteClassName = remoteClassName;
        this.remoteMessage = remoteMessage;
    }

    /** The class name of the exception thrown on the provider. */
    public String remoteClassName() {
        return remoteClassName;
    }

    /** The message of the exception thrown on the provider, possibly {@code null}. */
    public String remoteMessage() {
        return remoteMessage;
    }

    /** The stack trace of the exception thrown on the provider. */
    public StackTraceElement[] remoteStackTrace() {
        return getCause().getStackTrace();
    }

    /** Holds the remote stack trace; its own stack is the remote one. */
    private static final class RemoteStack extends Throwable {
        private static final long serialVersionUID = 1L;

        RemoteStack(String className, String message, StackTraceElement[] stack) {
            super("(remote) " + className + ": " + message, null, false, true);
            setStackTrace(stack);
        }
    }
}
