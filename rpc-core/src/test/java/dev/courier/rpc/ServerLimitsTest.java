package dev.courier.rpc;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The limits a hostile client cannot push past: connections per address and in total, pending requests per connection.
 */
class ServerLimitsTest {

    private final EchoServiceImpl impl = new EchoServiceImpl();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final ExecutorService callers = Executors.newFixedThreadPool(4);

    @AfterEach
    void closeAll() throws Exception {
        impl.release.countDown();
        callers.shutdownNow();
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private <T extends AutoCloseable> T owned(T resource) {
        resources.add(resource);
        return resource;
    }

    private RpcServer server(RpcServer.Builder builder) {
        return owned(builder.host("127.0.0.1").export(EchoService.class, impl).start());
    }

    private EchoService echo(RpcServer server, int connections) {
        RpcClient client =
                owned(RpcClient.builder().connectionsPerAddress(connections).build());
        return client.reference(EchoService.class)
                .address("127.0.0.1", server.port())
                .timeout(Duration.ofSeconds(5))
                .build();
    }

    @Test
    void anAddressOverItsConnectionLimitIsRefusedUntilOneOfItsConnectionsCloses() throws Exception {
        RpcServer server = server(RpcServer.builder().maxConnectionsPerAddress(2));
        RpcClient first = owned(RpcClient.builder().connectionsPerAddress(2).build());
        EchoService both = first.reference(EchoService.class)
                .address("127.0.0.1", server.port())
                .build();
        // round robin over the client's two connections: both are opened
        assertThat(both.echo("a")).isEqualTo("a");
        assertThat(both.echo("b")).isEqualTo("b");

        EchoService third = echo(server, 1);
        assertThatThrownBy(() -> third.echo("c")).isInstanceOf(ConnectionException.class);

        first.close();
        await().atMost(Duration.ofSeconds(15))
                .ignoreExceptions()
                .untilAsserted(() -> assertThat(third.echo("c")).isEqualTo("c"));
    }

    @Test
    void theServerHoldsNoMoreConnectionsThanItsTotalLimit() {
        RpcServer server = server(RpcServer.builder().maxConnections(1));
        EchoService first = echo(server, 1);
        assertThat(first.echo("a")).isEqualTo("a");

        EchoService second = echo(server, 1);
        assertThatThrownBy(() -> second.echo("b")).isInstanceOf(ConnectionException.class);
        assertThat(first.echo("still")).isEqualTo("still");
    }

    @Test
    void aConnectionOverItsPendingLimitIsAnsweredBusyWithoutRunningTheRequest() throws Exception {
        RpcServer server = server(RpcServer.builder().maxPendingRequestsPerConnection(2));
        EchoService echo = echo(server, 1);
        List<CompletableFuture<String>> held = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            String s = "held-" + i;
            held.add(CompletableFuture.supplyAsync(() -> echo.sleepThenEcho(30_000, s), callers));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> impl.sleepCalls.get() == 2);

        assertThatThrownBy(() -> echo.sleepThenEcho(30_000, "third"))
                .isInstanceOf(ServerBusyException.class)
                .hasMessageContaining("2 requests waiting for answers");
        assertThat(impl.sleepCalls).hasValue(2);

        impl.release.countDown();
        for (int i = 0; i < 2; i++) {
            assertThat(held.get(i).get(10, TimeUnit.SECONDS)).isEqualTo("held-" + i);
        }
        // answered requests no longer count
        assertThat(echo.sleepThenEcho(0, "after")).isEqualTo("after");
        assertThat(echo.sleepThenEcho(0, "again")).isEqualTo("again");
    }
}
