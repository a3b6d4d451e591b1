package dev.courier.rpc;

/**
 * A generic call's arguments did not fit the method's parameters (wrong count, a value that is not
 * of the parameter's type, JSON that does not parse), or its method name matched several overloads
 * of that arity. The method did not run; the message says which argument and why.
 */
public class InvalidArgumentException extends RpcException {

    private static final long serialVersionUID = 1L;

    public InvalidArgumentException(String message) {
        super(message);
    }
}
