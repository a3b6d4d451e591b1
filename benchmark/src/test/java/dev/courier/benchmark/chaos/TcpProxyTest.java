package dev.courier.benchmark.chaos;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class TcpProxyTest {

    private final ExecutorService servers = Executors.newCachedThreadPool();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        servers.shutdownNow();
        assertThat(servers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    /** A loopback server that answers every line with {@code tag} + the line. */
    private InetSocketAddress echo(String tag) throws IOException {
        ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        closeables.add(server);
        servers.execute(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    closeables.add(s);
                    servers.execute(() -> {
                        try (s;
                                InputStream in = s.getInputStream();
                                OutputStream out = s.getOutputStream()) {
                            int b;
                            while ((b = in.read()) >= 0) {
                                if (b == '\n') {
                                    out.write((tag + "\n").getBytes(StandardCharsets.US_ASCII));
                                    out.flush();
                                }
                            }
                        } catch (IOException e) {
                            // the peer went away
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    private Socket connect(TcpProxy proxy) throws IOException {
        Socket s = new Socket("127.0.0.1", proxy.port());
        s.setSoTimeout(10_000); // guards a hang only
        closeables.add(s);
        return s;
    }

    /** Sends a line and reads the answer; null if the connection ended instead. */
    private static String roundTrip(Socket s) throws IOException {
        s.getOutputStream().write('\n');
        s.getOutputStream().flush();
        StringBuilder sb = new StringBuilder();
        InputStream in = s.getInputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            sb.append((char) b);
        }
        return b < 0 ? null : sb.toString();
    }

    /** Whether the connection is closed from the other side (end of stream or reset). */
    private static boolean ended(Socket s) {
        try {
            return roundTrip(s) == null;
        } catch (SocketException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void relaysBothWays() throws Exception {
        TcpProxy proxy = TcpProxy.start(echo("a"));
        closeables.add(0, proxy);

        Socket s = connect(proxy);

        assertThat(roundTrip(s)).isEqualTo("a");
        assertThat(roundTrip(s)).isEqualTo("a");
    }

    @Test
    void aCutClosesEveryConnectionAndRefusesNewOnesUntilRestored() throws Exception {
        TcpProxy proxy = TcpProxy.start(echo("a"));
        closeables.add(0, proxy);
        Socket before = connect(proxy);
        assertThat(roundTrip(before)).isEqualTo("a");

        proxy.cut();

        assertThat(ended(before)).as("an open connection is cut").isTrue();
        Socket during = connect(proxy);
        assertThat(ended(during)).as("a new connection is reset").isTrue();
        assertThat(proxy.openChannels()).isZero();

        proxy.restore();

        assertThat(roundTrip(connect(proxy))).isEqualTo("a");
    }

    @Test
    void aNewTargetTakesNewConnectionsWhileOldOnesStay() throws Exception {
        TcpProxy proxy = TcpProxy.start(echo("a"));
        closeables.add(0, proxy);
        Socket old = connect(proxy);
        assertThat(roundTrip(old)).isEqualTo("a");

        proxy.target(echo("b"));

        assertThat(roundTrip(connect(proxy))).isEqualTo("b");
        assertThat(roundTrip(old)).isEqualTo("a");
    }

    @Test
    void aConnectionToADeadTargetIsClosed() throws Exception {
        InetSocketAddress dead;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            dead = (InetSocketAddress) s.getLocalSocketAddress();
        }
        TcpProxy proxy = TcpProxy.start(dead);
        closeables.add(0, proxy);

        assertThat(ended(connect(proxy))).isTrue();
    }

    @Test
    void closeStopsItsThreadAndIsIdempotent() throws Exception {
        TcpProxy proxy = TcpProxy.start(echo("a"));
        assertThat(roundTrip(connect(proxy))).isEqualTo("a");

        proxy.close();
        proxy.close();

        await().atMost(Duration.ofSeconds(10))
                .until(() -> Thread.getAllStackTraces().keySet().stream()
                        .noneMatch(t -> t.getName().startsWith("courier-chaos-proxy")));
    }
}
