package dev.courier.rpc;

import java.net.SocketAddress;

/**
 * The client connection a server-side call arrived on, from {@link CallContext#connection()}. Lets a
 * service tie state to a connection and clean it up the moment the connection closes — a consumer
 * whose connection drops, a lock held for a session — instead of waiting for a timeout.
 *
 * <p>Implementations are thread-safe. A client may use several connections to one server
 * ({@code RpcClient.Builder#connectionsPerAddress}) and reconnects after a failure, so one client is
 * not always one connection.
 */
public interface PeerConnection {

    /** An id unique among this server's connections for the life of the process. */
    String id();

    /** The client's address. */
    SocketAddress remoteAddress();

    /**
     * Who the client was authenticated as when the connection opened: the name in its client
     * certificate (mutual TLS) or the principal of its bearer token; {@code null} when anonymous.
     */
    String principal();

    /** Whether the connection is still open. */
    boolean isOpen();

    /**
     * Closes the connection from the server's side (an operator's kick): calls in flight on it fail on
     * the client, which reconnects as after any dropped connection; the close actions run. Idempotent.
     */
    void close();

    /**
     * Runs {@code action} once when the connection closes, on the connection's I/O thread (keep it
     * short and non-blocking); at once on the calling thread if it has already closed. Actions run
     * in the order they were added; one that throws is logged and does not stop the others.
     */
    void onClose(Runnable action);
}
