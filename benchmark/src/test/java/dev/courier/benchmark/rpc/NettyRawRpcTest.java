package dev.courier.benchmark.rpc;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class NettyRawRpcTest {

    @Test
    void concurrentCallersOverTwoConnectionsEachGetTheirOwnPayloadBack() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try (RpcSystem system = RpcSystem.named("netty-raw")) {
            assertThat(system.name()).isEqualTo("netty-raw");
            RpcSystem.Echo echo = system.start(2);
            List<Future<Integer>> answers = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int caller = t;
                answers.add(callers.submit(() -> {
                    int checked = 0;
                    for (int i = 0; i < 200; i++) {
                        // a size of each caller's and call's own, so that an answer given to the wrong caller shows
                        byte[] payload = new byte[1 + (caller * 200 + i) % 5000];
                        java.util.Arrays.fill(payload, (byte) (caller * 31 + i));
                        assertThat(echo.echo(payload)).isEqualTo(payload);
                        checked++;
                    }
                    return checked;
                }));
            }
            for (Future<Integer> answer : answers) {
                assertThat(answer.get(60, TimeUnit.SECONDS)).isEqualTo(200);
            }
            assertThat(system.breakdown())
                    .as("the limit reports no server timing")
                    .isNull();
        } finally {
            callers.shutdownNow();
        }
    }
}
