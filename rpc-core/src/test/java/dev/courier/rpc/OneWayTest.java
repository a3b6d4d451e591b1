package dev.courier.rpc;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@link OneWay} methods: the call returns once the request is handed to a connection, while the
 * method is still running (here: held on a latch); the provider runs it once and answers nothing, not
 * even its exception; a failure to send is the caller's; a non-void one-way method is refused when
 * the reference is built.
 */
class OneWayTest {

    /** Audit log: {@code record} is fire-and-forget. */
    public interface Audit {
        @OneWay
        void record(String event);

        @OneWay
        void explode(String event);

        List<String> events();
    }

    public interface Bad {
        @OneWay
        String answer();
    }

    static final class AuditImpl implements Audit {
        final List<String> events = new CopyOnWriteArrayList<>();
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch started = new CountDownLatch(1);

        @Override
        public void record(String event) {
            started.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            events.add(event);
        }

        @Override
        public void explode(String event) {
            events.add("exploded " + event);
            throw new IllegalStateException("boom " + event);
        }

        @Override
        public List<String> events() {
            return new ArrayList<>(events);
        }
    }

    private final AuditImpl impl = new AuditImpl();
    private final RpcServer server =
            RpcServer.builder().port(0).export(Audit.class, impl).start();
    private final RpcClient client = RpcClient.builder().build();

    @AfterEach
    void close() {
        impl.release.countDown();
        client.close();
        server.close();
    }

    private Audit audit() {
        return client.reference(Audit.class)
                .address("127.0.0.1", server.port())
                .timeout(Duration.ofSeconds(30))
                .build();
    }

    @Test
    void theCallReturnsWhileTheMethodStillRunsAndTheMethodRunsOnce() throws Exception {
        Audit audit = audit();

        audit.record("login");

        // returned, yet the provider's method is held until released: nothing waited for it to finish
        assertThat(impl.started.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(impl.events).isEmpty();
        impl.release.countDown();
        await().atMost(Duration.ofSeconds(30)).until(() -> impl.events.contains("login"));
        assertThat(audit.events()).containsExactly("login");
    }

    @Test
    void theMethodsExceptionStaysOnTheProvider() {
        Audit audit = audit();

        audit.explode("x");

        await().atMost(Duration.ofSeconds(30)).until(() -> impl.events.contains("exploded x"));
        // the connection still serves two-way calls after the one-way failure
        assertThat(audit.events()).containsExactly("exploded x");
    }

    @Test
    void aCallThatCannotBeSentFails() throws Exception {
        // a socket bound but not listening: the port refuses connections for the whole test
        try (Socket bound = new Socket()) {
            bound.bind(new InetSocketAddress("127.0.0.1", 0));
            Audit nowhere = client.reference(Audit.class)
                    .address("127.0.0.1", bound.getLocalPort())
                    .build();

            assertThatThrownBy(() -> nowhere.record("lost")).isInstanceOf(ConnectionException.class);
        }
    }

    @Test
    void aOneWayMethodWithAResultIsRefusedWhenTheReferenceIsBuilt() {
        assertThatThrownBy(() -> client.reference(Bad.class)
                        .address("127.0.0.1", server.port())
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("@OneWay")
                .hasMessageContaining("void");
    }
}
