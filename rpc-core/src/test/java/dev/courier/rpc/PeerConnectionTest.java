package dev.courier.rpc;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@link CallContext#connection()}: which connection a call came on, and a hook for when it closes. */
class PeerConnectionTest {

    /** Answers the id of the caller's connection and remembers it, so the test can watch it close. */
    public interface Sessions {
        String whoAmI();

        String whoAmINonBlocking();
    }

    static class SessionsImpl implements Sessions {
        final List<String> closed = new CopyOnWriteArrayList<>();
        final List<PeerConnection> seen = new CopyOnWriteArrayList<>();

        @Override
        public String whoAmI() {
            PeerConnection c = CallContext.connection();
            if (!seen.contains(c)) {
                seen.add(c);
                c.onClose(() -> closed.add(c.id()));
            }
            return c.id();
        }

        @Override
        public String whoAmINonBlocking() {
            return whoAmI();
        }
    }

    @Test
    void aCallKnowsItsConnectionAndCloseActionsRunWhenTheClientGoes() {
        SessionsImpl impl = new SessionsImpl();
        try (RpcServer server = RpcServer.builder()
                .host("127.0.0.1")
                .export(Sessions.class, impl)
                .start()) {
            String first;
            try (RpcClient client = RpcClient.builder().build()) {
                Sessions s = client.reference(Sessions.class)
                        .address("127.0.0.1", server.port())
                        .build();
                first = s.whoAmI();
                assertThat(s.whoAmI()).isEqualTo(first);
                PeerConnection c = impl.seen.get(0);
                assertThat(c.isOpen()).isTrue();
                assertThat(((InetSocketAddress) c.remoteAddress()).getAddress().isLoopbackAddress())
                        .isTrue();
                assertThat(impl.closed).isEmpty();
            }
            await().atMost(20, TimeUnit.SECONDS).until(() -> impl.closed.contains(first));
            assertThat(impl.seen.get(0).isOpen()).isFalse();
            // an action added after the close runs at once
            List<String> late = new CopyOnWriteArrayList<>();
            impl.seen.get(0).onClose(() -> late.add("ran"));
            assertThat(late).containsExactly("ran");

            try (RpcClient client = RpcClient.builder().build()) {
                Sessions s = client.reference(Sessions.class)
                        .address("127.0.0.1", server.port())
                        .build();
                assertThat(s.whoAmI()).isNotEqualTo(first);
            }
            await().atMost(20, TimeUnit.SECONDS).until(() -> impl.closed.size() == 2);
        }
        assertThat(CallContext.connection()).isNull();
    }

    @Test
    void theServerClosesAConnectionAndTheClientReconnects() {
        SessionsImpl impl = new SessionsImpl();
        try (RpcServer server = RpcServer.builder()
                        .host("127.0.0.1")
                        .export(Sessions.class, impl)
                        .start();
                RpcClient client = RpcClient.builder().build()) {
            Sessions s = client.reference(Sessions.class)
                    .address("127.0.0.1", server.port())
                    .build();
            String first = s.whoAmI();
            PeerConnection c = impl.seen.get(0);
            c.close();
            await().atMost(20, TimeUnit.SECONDS).until(() -> impl.closed.contains(first));
            assertThat(c.isOpen()).isFalse();
            c.close(); // idempotent
            await().atMost(20, TimeUnit.SECONDS)
                    .ignoreExceptions()
                    .until(() -> !s.whoAmI().equals(first));
            assertThat(impl.seen).hasSize(2);
        }
    }

    @Test
    void nonBlockingServicesSeeTheirConnectionToo() {
        SessionsImpl impl = new SessionsImpl();
        try (RpcServer server = RpcServer.builder()
                        .host("127.0.0.1")
                        .exportNonBlocking(Sessions.class, impl)
                        .start();
                RpcClient client = RpcClient.builder().build()) {
            Sessions s = client.reference(Sessions.class)
                    .address("127.0.0.1", server.port())
                    .build();
            assertThat(s.whoAmINonBlocking()).isEqualTo(impl.seen.get(0).id());
        }
        await().atMost(20, TimeUnit.SECONDS).until(() -> impl.closed.size() == 1);
    }

    @Test
    void aThrowingCloseActionDoesNotStopTheOthers() {
        List<String> ran = new CopyOnWriteArrayList<>();
        SessionsImpl impl = new SessionsImpl() {
            @Override
            public String whoAmI() {
                PeerConnection c = CallContext.connection();
                c.onClose(() -> {
                    throw new IllegalStateException("broken cleanup");
                });
                c.onClose(() -> ran.add("second"));
                return c.id();
            }
        };
        try (RpcServer server = RpcServer.builder()
                .host("127.0.0.1")
                .export(Sessions.class, impl)
                .start()) {
            try (RpcClient client = RpcClient.builder().build()) {
                client.reference(Sessions.class)
                        .address("127.0.0.1", server.port())
                        .build()
                        .whoAmI();
            }
            await().atMost(20, TimeUnit.SECONDS).until(() -> ran.contains("second"));
        }
    }
}
