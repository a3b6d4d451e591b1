package dev.courier.rpc;

import dev.courier.rpc.internal.auth.TokenTable;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Decides who a new connection is, once, before any request on it runs: from the client certificate
 * of mutual TLS, a bearer token, or both. A server with an authenticator refuses connections it does
 * not accept: the client's calls end with {@link AuthenticationException}.
 *
 * <pre>{@code
 * RpcServer.builder().authenticator(Authenticator.mutualTls().or(Authenticator.tokensFile(Path.of("tokens"))))
 * }</pre>
 *
 * <p>Runs on the connection's I/O thread: keep it quick and non-blocking. Implementations must be
 * thread-safe.
 */
@FunctionalInterface
public interface Authenticator {

    /**
     * What a client presented on a connection.
     *
     * @param certificatePrincipal the name in the client's verified certificate (the subject's CN, or
     *                             else its first DNS subject alternative name, or else the whole
     *                             subject), or null without mutual TLS
     * @param token                the bearer token the client sent, or null
     * @param remoteAddress        the client's address
     */
    record Credentials(String certificatePrincipal, String token, SocketAddress remoteAddress) {}

    /**
     * The principal the connection runs as.
     *
     * @throws AuthenticationException if the credentials are refused; its message goes to the client
     */
    String authenticate(Credentials credentials);

    /** Accepts connections whose client certificate was verified (mutual TLS); the principal is its name. */
    static Authenticator mutualTls() {
        return c -> {
            if (c.certificatePrincipal() == null) {
                throw new AuthenticationException("A client certificate is required");
            }
            return c.certificatePrincipal();
        };
    }

    /** Accepts the bearer tokens of {@code tokenToPrincipal}, as the principal each maps to. */
    static Authenticator tokens(Map<String, String> tokenToPrincipal) {
        return new TokenTable(tokenToPrincipal)::authenticate;
    }

    /**
     * Accepts the bearer tokens of a file with lines {@code TOKEN PRINCIPAL} (blank lines and lines
     * starting with {@code #} are skipped), read once now.
     *
     * @throws IOException              if the file cannot be read
     * @throws IllegalArgumentException naming the line of a malformed entry or a repeated token
     */
    static Authenticator tokensFile(Path file) throws IOException {
        return new TokenTable(TokenTable.read(file))::authenticate;
    }

    /** This authenticator, or {@code other} when this one refuses. */
    default Authenticator or(Authenticator other) {
        Objects.requireNonNull(other, "other");
        return c -> {
            try {
                return authenticate(c);
            } catch (AuthenticationException first) {
                try {
                    return other.authenticate(c);
                } catch (AuthenticationException second) {
                    second.addSuppressed(first);
                    throw new AuthenticationException(first.getMessage() + "; " + second.getMessage(), second);
                }
            }
        };
    }
}
