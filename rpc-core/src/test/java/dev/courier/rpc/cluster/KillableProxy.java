package dev.courier.rpc.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP forwarder in front of a provider that can be killed like a crashed process: every connection
 * closes at once, with no go-away and no deregistration, and new ones are reset as they arrive. It
 * can start again on the same port.
 *
 * <p>A killed proxy keeps its port bound. Were it to close its listener, another process on the machine
 * could get the port, and the client would reach that one instead: a Courier server there that shuts
 * down sends a go-away, the client then keeps the killed provider out of balancing, and a test waiting
 * for its calls to fail waits forever.
 */
final class KillableProxy implements AutoCloseable {

    private final InetSocketAddress target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final ServerSocket server;
    private final int port;
    private volatile boolean killed;

    KillableProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress("127.0.0.1", 0));
        this.port = server.getLocalPort();
        Thread acceptor = new Thread(this::accept, "proxy-accept-" + port);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return port;
    }

    /** Forwards connections again after {@link #kill()}. */
    synchronized void start() {
        killed = false;
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
                synchronized (this) {
                    if (killed) {
                        reset(client);
                        continue;
                    }
                }
                Socket upstream = new Socket(target.getAddress(), target.getPort());
                synchronized (this) {
                    // a kill() while this connection was being set up: it must not outlive the kill
                    if (killed) {
                        reset(client);
                        closeQuietly(upstream);
                        continue;
                    }
                    sockets.add(client);
                    sockets.add(upstream);
                }
                pipe(client, upstream);
                pipe(upstream, client);
            } catch (IOException e) {
                reset(client);
            }
        }
    }

    /** Closes {@code s} with a reset, as a host with no listener on the port answers. */
    private static void reset(Socket s) {
        try {
            s.setSoLinger(true, 0);
        } catch (IOException e) {
            // closing anyway
        }
        closeQuietly(s);
    }

    private void pipe(Socket from, Socket to) {
        Thread t = new Thread(
                () -> {
                    byte[] buffer = new byte[8192];
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        int n;
                        while ((n = in.read(buffer)) >= 0) {
                            out.write(buffer, 0, n);
                            out.flush();
                        }
                    } catch (IOException e) {
                        // the other side or kill() closed it
                    } finally {
                        closeQuietly(from);
                        closeQuietly(to);
                    }
                },
                "proxy-pipe");
        t.setDaemon(true);
        t.start();
    }

    /** Resets every connection at once and every new one until {@link #start()}. */
    synchronized void kill() {
        killed = true;
        for (Socket s : sockets) {
            reset(s);
        }
        sockets.clear();
    }

    @Override
    public void close() {
        kill();
        closeQuietly(server);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (Exception e) {
            // closing anyway
        }
    }
}
