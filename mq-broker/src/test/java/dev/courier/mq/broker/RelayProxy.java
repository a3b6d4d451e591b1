package dev.courier.mq.broker;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay in front of a broker, listening on an ephemeral loopback port for the whole test, so that
 * clients keep one address while the broker behind it restarts on a port of its own (each start binds
 * port 0). It can also hold back the broker's answers (what the broker stored is not acknowledged)
 * and cut every connection at once, as a crash or a network cut would.
 *
 * <p>Thread-safe. {@link #close()} stops listening and cuts every connection.
 */
final class RelayProxy implements AutoCloseable {

    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile InetSocketAddress target;
    private volatile boolean holdingAnswers;

    RelayProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "relay-accept-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The port clients connect to; the same for the relay's whole life. */
    int port() {
        return server.getLocalPort();
    }

    /** New connections go to {@code target} from now on. */
    void target(InetSocketAddress target) {
        this.target = target;
    }

    /** From now on the broker's bytes to clients are dropped (requests still reach the broker). */
    void holdAnswers() {
        holdingAnswers = true;
    }

    /** Closes every connection at once (the relay keeps listening) and lets answers through again. */
    void cut() {
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        sockets.clear();
        holdingAnswers = false;
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            try {
                Socket upstream = new Socket(target.getAddress(), target.getPort());
                sockets.add(client);
                sockets.add(upstream);
                pipe(client, upstream, false);
                pipe(upstream, client, true);
            } catch (IOException e) {
                closeQuietly(client); // the broker is down: the client sees a failed connection
            }
        }
    }

    private void pipe(Socket from, Socket to, boolean answers) {
        Thread t = new Thread(
                () -> {
                    byte[] buffer = new byte[16384];
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        int n;
                        while ((n = in.read(buffer)) >= 0) {
                            if (answers && holdingAnswers) {
                                continue;
                            }
                            out.write(buffer, 0, n);
                            out.flush();
                        }
                    } catch (IOException e) {
                        // the other side or cut() closed it
                    } finally {
                        closeQuietly(from);
                        closeQuietly(to);
                    }
                },
                answers ? "relay-answers" : "relay-requests");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() {
        closeQuietly(server);
        cut();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // closing anyway
        }
    }
}
