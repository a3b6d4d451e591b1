package dev.courier.examples;

import dev.courier.rpc.RpcClient;
import dev.courier.rpc.RpcServer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class DemoTest {

    @Test
    void consumerRoundSucceedsAgainstTheProvider() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (RpcServer server = GreeterProvider.start(0);
                RpcClient client = RpcClient.builder().build();
                PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            int ok = new GreeterConsumer(client, "127.0.0.1", server.port(), out).run();
            assertThat(ok).isEqualTo(Demo.EXPECTED_CALLS);
        }
        String printed = bytes.toString(StandardCharsets.UTF_8);
        assertThat(printed)
                .contains("sayHello(Ada) -> Hello, Ada!")
                .contains("java.lang.IllegalArgumentException: name must not be blank")
                .contains("Greeting[text=Hello, async-");
    }

    @Test
    void demoBalancesByWeightAndShutsAProviderDownWithoutFailedCalls() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean ok;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            ok = Demo.run(out);
        }
        String printed = bytes.toString(StandardCharsets.UTF_8);
        assertThat(ok).as(printed).isTrue();
        assertThat(printed)
                .contains("6 of 6 calls behaved as expected")
                .contains("400 calls answered by {east=300, west=100}")
                .contains("0 failed; the next 100 answered by {west=100}")
                .doesNotContain("call failed");
        // the shutdown had work to drain: calls running on east when it began closing, answered by it after
        assertThat(printed)
                .containsPattern("east: began closing with [1-9][0-9]* calls in flight")
                .containsPattern("\\([1-9][0-9]* answered by east after it began closing\\)");
    }

    @Test
    void publishSubscribeRoundDeliversEveryMessageToBothSubscriptions() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            assertThat(new PubSubRound(out).run()).isTrue();
        }
        assertThat(bytes.toString(StandardCharsets.UTF_8))
                .contains("subscription 'billing'  received [order-1, order-2, order-3, order-4, order-5]")
                .contains("subscription 'shipping' received [order-1, order-2, order-3, order-4, order-5]");
    }
}
