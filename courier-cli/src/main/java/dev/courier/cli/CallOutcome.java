package dev.courier.cli;

import dev.courier.registry.RegistryException;
import dev.courier.rpc.AuthenticationException;
import dev.courier.rpc.ConnectionException;
import dev.courier.rpc.InvalidArgumentException;
import dev.courier.rpc.NoProviderException;
import dev.courier.rpc.PermissionDeniedException;
import dev.courier.rpc.RemoteException;
import dev.courier.rpc.RpcTimeoutException;
import dev.courier.rpc.ServerBusyException;
import dev.courier.rpc.ServiceNotFoundException;

/**
 * How a call ended, by its typed error, with the exit code of {@code courier call} and the name the
 * load-test harness counts errors by. 1 is left to failures of the tool itself and 2 to usage errors.
 */
public enum CallOutcome {
    OK(0),
    /** The method ran and threw. */
    REMOTE_EXCEPTION(3),
    /** No such service, or no such method of it. */
    NOT_FOUND(4),
    /** The arguments do not fit the method's parameters. */
    INVALID_ARGUMENT(5),
    /** No answer within the deadline. */
    DEADLINE_EXCEEDED(6),
    /** No provider listed, or none could be reached. */
    UNAVAILABLE(7),
    /** A provider refused the call unrun: busy, rate limited or shutting down. */
    REFUSED(8),
    /** The provider refused the credentials. */
    UNAUTHENTICATED(9),
    /** The caller may not call that method. */
    PERMISSION_DENIED(10),
    /** The registry could not be reached or refused the client. */
    REGISTRY(11),
    /** Any other failure of the call: a malformed answer, a protocol error, a bad setting. */
    PROTOCOL(12);

    private final int exitCode;

    CallOutcome(int exitCode) {
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }

    /** A lower-case name for reports: {@code deadline_exceeded}. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The outcome of a call that failed with {@code error}; {@link #OK} for null. */
    public static CallOutcome of(Throwable error) {
        if (error == null) {
            return OK;
        }
        if (error instanceof RemoteException) {
            return REMOTE_EXCEPTION;
        }
        if (error instanceof ServiceNotFoundException) {
            return NOT_FOUND;
        }
        if (error instanceof InvalidArgumentException) {
            return INVALID_ARGUMENT;
        }
        if (error instanceof RpcTimeoutException) {
            return DEADLINE_EXCEEDED;
        }
        if (error instanceof NoProviderException || error instanceof ConnectionException) {
            return UNAVAILABLE;
        }
        if (error instanceof ServerBusyException) {
            return REFUSED;
        }
        if (error instanceof AuthenticationException) {
            return UNAUTHENTICATED;
        }
        if (error instanceof PermissionDeniedException) {
            return PERMISSION_DENIED;
        }
        if (error instanceof RegistryException) {
            return REGISTRY;
        }
        return PROTOCOL;
    }
}
