package dev.courier.benchmark.rpc;

import dev.courier.rpc.ServerTiming;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class TimingBreakdownTest {

    @Test
    void theNetworkShareIsTheCallersTotalLessTheServersAndUntimedCallsAreLeftOut() {
        TimingBreakdown breakdown = new TimingBreakdown();

        breakdown.record(TimeUnit.MICROSECONDS.toNanos(1_000), new ServerTiming(100, 200));
        breakdown.record(TimeUnit.MICROSECONDS.toNanos(5_000), null);

        TimingBreakdown.Shares shares = breakdown.shares();
        assertThat(shares.calls()).isEqualTo(1);
        assertThat(shares.queue().getValueAtPercentile(50)).isEqualTo(100);
        assertThat(shares.exec().getValueAtPercentile(50)).isEqualTo(200);
        assertThat(shares.network().getValueAtPercentile(50)).isEqualTo(700);
        assertThat(shares.line()).contains("server queue p50 100", "exec p50 200", "network p50 700", "(1 calls)");
    }

    @Test
    void courierCallsAreBrokenDownAndAResetStartsAfresh() throws Exception {
        try (RpcSystem system = RpcSystem.named("courier-kryo")) {
            RpcSystem.Echo echo = system.start(1);
            byte[] payload = new byte[100];
            for (int i = 0; i < 20; i++) {
                assertThat(echo.echo(payload)).hasSize(100);
            }
            system.breakdown().reset();
            for (int i = 0; i < 30; i++) {
                echo.echo(payload);
            }

            TimingBreakdown.Shares shares = system.breakdown().shares();
            assertThat(shares.calls()).isEqualTo(30);
            assertThat(shares.network().getTotalCount()).isEqualTo(30);
            assertThat(shares.network().getMaxValue()).isPositive();
        }
    }

    @Test
    void peersReportNoBreakdown() {
        assertThat(RpcSystem.named("grpc-direct").breakdown()).isNull();
    }
}
