package dev.courier.rpc;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.cumulative.CumulativeTimer;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.pause.PauseDetector;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Both sides keep their books after the answer and off the connection's event loop: the provider once the
 * response is queued, the consumer on the caller's thread (synchronous calls) or after the caller's own
 * stages (asynchronous ones). A recording that fails fails no call.
 */
class MetricsRecordingTest {

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final CountDownLatch gate = new CountDownLatch(1);

    @AfterEach
    void closeAll() throws Exception {
        gate.countDown();
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private <T extends AutoCloseable> T owned(T resource) {
        resources.add(resource);
        return resource;
    }

    private EchoService echo(MeterRegistry serverMeters, MeterRegistry clientMeters) {
        RpcServer server = owned(RpcServer.builder()
                .host("127.0.0.1")
                .meterRegistry(serverMeters)
                .export(EchoService.class, new EchoServiceImpl())
                .start());
        return owned(RpcClient.builder().meterRegistry(clientMeters).build())
                .reference(EchoService.class)
                .address("127.0.0.1", server.port())
                .timeout(Duration.ofSeconds(5))
                .build();
    }

    @Test
    void theProviderAnswersBeforeItRecordsTheCall() {
        GatedRegistry serverMeters = new GatedRegistry(gate, false);
        EchoService echo = echo(serverMeters, new SimpleMeterRegistry());

        // the provider's recording waits at the gate: were it before the answer, this call would time out
        assertThat(echo.echo("a")).isEqualTo("a");
        await().atMost(Duration.ofSeconds(10)).until(() -> serverMeters.waiting.get() == 1);
        assertThat(serverMeters.get("courier.server.calls").timer().count()).isZero();

        gate.countDown();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> serverMeters
                                .get("courier.server.calls")
                                .tags("method", "echo", "outcome", "ok")
                                .timer()
                                .count()
                        == 1);
    }

    @Test
    void aSynchronousCallIsRecordedOnTheCallersThreadBeforeTheProxyReturns() {
        GatedRegistry clientMeters = new GatedRegistry(gate, false);
        gate.countDown();
        EchoService echo = echo(new SimpleMeterRegistry(), clientMeters);

        assertThat(echo.echo("a")).isEqualTo("a");

        // not on the connection's event loop, which every call on the connection shares
        assertThat(clientMeters.recordedBy)
                .containsExactly(Thread.currentThread().getName());
        assertThat(clientMeters
                        .get("courier.client.calls")
                        .tags("method", "echo", "outcome", "ok")
                        .timer()
                        .count())
                .isEqualTo(1);
        assertThat(clientMeters.get("courier.client.network").functionTimer().count())
                .isEqualTo(1);
    }

    @Test
    void anAsynchronousCallIsAnsweredBeforeItIsRecorded() throws Exception {
        GatedRegistry clientMeters = new GatedRegistry(gate, false);
        EchoService echo = echo(new SimpleMeterRegistry(), clientMeters);

        // the recording waits at the gate: were it before the caller's stages, this would time out
        assertThat(echo.echoAsync("a").get(5, TimeUnit.SECONDS)).isEqualTo("a");
        await().atMost(Duration.ofSeconds(10)).until(() -> clientMeters.waiting.get() == 1);

        gate.countDown();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> clientMeters
                                .get("courier.client.calls")
                                .tags("method", "echoAsync", "outcome", "ok")
                                .timer()
                                .count()
                        == 1);
        assertThat(clientMeters.recordedBy)
                .doesNotContain(Thread.currentThread().getName());
    }

    @Test
    void aRecordingThatFailsFailsNoCall() {
        GatedRegistry serverMeters = new GatedRegistry(gate, true);
        GatedRegistry clientMeters = new GatedRegistry(gate, true);
        gate.countDown();
        EchoService echo = echo(serverMeters, clientMeters);

        for (int i = 0; i < 3; i++) {
            assertThat(echo.echo("a" + i)).isEqualTo("a" + i);
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() -> serverMeters.waiting.get() == 3 && clientMeters.waiting.get() == 3);
    }

    @Test
    void theProviderRecordsTheExecutionTimeItsResponseReports() {
        GatedRegistry serverMeters = new GatedRegistry(gate, false);
        gate.countDown();
        List<Long> reported = new CopyOnWriteArrayList<>();
        RpcServer server = owned(RpcServer.builder()
                .host("127.0.0.1")
                .meterRegistry(serverMeters)
                .export(EchoService.class, new EchoServiceImpl())
                .start());
        EchoService echo = owned(RpcClient.builder()
                        .interceptor((invocation, chain) -> chain.proceed(invocation)
                                .whenComplete((v, e) ->
                                        reported.add(invocation.serverTiming().execMicros())))
                        .build())
                .reference(EchoService.class)
                .address("127.0.0.1", server.port())
                .timeout(Duration.ofSeconds(5))
                .build();
        int calls = 20;
        for (int i = 0; i < calls; i++) {
            assertThat(echo.echo("a" + i)).isEqualTo("a" + i);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> serverMeters.amounts.size() == calls);

        // one measurement, not two that differ by the interceptors around it: the same microseconds each call
        assertThat(serverMeters.amounts.stream().map(nanos -> nanos / 1000).toList())
                .containsExactlyInAnyOrderElementsOf(reported);
    }

    /** A registry whose timers wait at a gate before they record, and then record or throw. */
    private static final class GatedRegistry extends SimpleMeterRegistry {
        final AtomicInteger waiting = new AtomicInteger();
        /** The threads that recorded, in order. */
        final List<String> recordedBy = new CopyOnWriteArrayList<>();
        /** What was recorded, in nanoseconds, in order. */
        final List<Long> amounts = new CopyOnWriteArrayList<>();

        private final CountDownLatch gate;
        private final boolean fail;

        GatedRegistry(CountDownLatch gate, boolean fail) {
            this.gate = gate;
            this.fail = fail;
        }

        @Override
        protected Timer newTimer(Meter.Id id, DistributionStatisticConfig config, PauseDetector pauseDetector) {
            return new CumulativeTimer(id, clock, config, pauseDetector, TimeUnit.SECONDS, false) {
                @Override
                protected void recordNonNegative(long amount, TimeUnit unit) {
                    waiting.incrementAndGet();
                    recordedBy.add(Thread.currentThread().getName());
                    try {
                        gate.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    if (fail) {
                        throw new IllegalStateException("recording refused");
                    }
                    amounts.add(unit.toNanos(amount));
                    super.recordNonNegative(amount, unit);
                }
            };
        }
    }
}
