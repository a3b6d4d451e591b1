package dev.courier.rpc;

/**
 * A connection was refused before any call ran on it: its credentials were missing or wrong (bearer
 * token, client certificate), or the TLS handshake failed (a certificate not signed by a trusted CA,
 * a host name the server's certificate does not name, no client certificate where mutual TLS is
 * required). Every call waiting for that connection ends with this error; retrying with the same
 * credentials fails the same way.
 */
public class AuthenticationException extends RpcException {

    private static final long serialVersionUID = 1L;

    public AuthenticationException(String message) {
        super(message);
    }

    public AuthenticationException(String message, Throwable cause) {
        super(message, cause);
    }
}
