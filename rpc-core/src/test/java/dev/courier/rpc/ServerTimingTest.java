package dev.courier.rpc;

import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Every answer of a method that ran carries the provider's queue and execution time to the consumer. */
class ServerTimingTest {

    private static final long HELD_MILLIS = 50;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final EchoServiceImpl impl = new EchoServiceImpl();
    /** What the interceptor saw once each call completed, by the call's string argument (else its method). */
    private final Map<Object, ServerTiming> seen = new ConcurrentHashMap<>();

    @AfterEach
    void closeAll() throws Exception {
        impl.release.countDown();
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private <T extends AutoCloseable> T owned(T resource) {
        resources.add(resource);
        return resource;
    }

    private RpcServer server() {
        return owned(RpcServer.builder()
                .host("127.0.0.1")
                .businessThreads(1)
                .queueCapacity(4)
                .export(EchoService.class, impl)
                .start());
    }

    private RpcClient client(RpcClient.Builder builder) {
        return owned(builder.interceptor((invocation, chain) -> chain.proceed(invocation)
                        .whenComplete((v, e) -> {
                            ServerTiming timing = invocation.serverTiming();
                            Object key = invocation.method().getName();
                            for (Object argument : invocation.arguments()) {
                                if (argument instanceof String s) {
                                    key = s;
                                }
                            }
                            seen.put(key, timing == null ? new ServerTiming(0, 0) : timing);
                        }))
                .build());
    }

    private EchoService echo(RpcClient client, RpcServer server) {
        return client.reference(EchoService.class)
                .address("127.0.0.1", server.port())
                .timeout(Duration.ofSeconds(30))
                .build();
    }

    @Test
    void theQueueTimeIsTheWaitForTheBusinessPoolAndTheExecTimeTheMethodsRun() throws Exception {
        RpcServer server = server();
        EchoService echo = echo(client(RpcClient.builder()), server);
        ExecutorService callers = Executors.newFixedThreadPool(2);
        owned(callers::shutdownNow);
        ServerTiming[] lastOnCaller = new ServerTiming[2];
        long[] totalNanos = new long[2];

        // "held" occupies the only business thread until released; "queued" waits behind it.
        CompletableFuture<String> held = CompletableFuture.supplyAsync(
                () -> {
                    long start = System.nanoTime();
                    String r = echo.sleepThenEcho(TimeUnit.MINUTES.toMillis(1), "held");
                    totalNanos[0] = System.nanoTime() - start;
                    lastOnCaller[0] = CallContext.lastServerTiming();
                    return r;
                },
                callers);
        await().atMost(Duration.ofSeconds(10)).until(() -> impl.sleepCalls.get() == 1);
        CompletableFuture<String> queued = CompletableFuture.supplyAsync(
                () -> {
                    long start = System.nanoTime();
                    String r = echo.echo("queued");
                    totalNanos[1] = System.nanoTime() - start;
                    lastOnCaller[1] = CallContext.lastServerTiming();
                    return r;
                },
                callers);
        await().atMost(Duration.ofSeconds(10)).until(() -> server.inFlightCalls() == 2);
        // Both calls are now on the server: one running, one waiting. Hold them there for a known time.
        long heldUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HELD_MILLIS);
        while (System.nanoTime() < heldUntil) {
            LockSupport.parkNanos(heldUntil - System.nanoTime());
        }
        impl.release.countDown();
        assertThat(held.get(10, TimeUnit.SECONDS)).isEqualTo("held");
        assertThat(queued.get(10, TimeUnit.SECONDS)).isEqualTo("queued");

        long heldMicros = TimeUnit.MILLISECONDS.toMicros(HELD_MILLIS);
        ServerTiming running = lastOnCaller[0];
        ServerTiming waiting = lastOnCaller[1];
        assertThat(running).isNotNull().isEqualTo(seen.get("held"));
        assertThat(waiting).isNotNull().isEqualTo(seen.get("queued"));
        assertThat(running.execMicros()).isGreaterThanOrEqualTo(heldMicros);
        assertThat(waiting.queueMicros()).isGreaterThanOrEqualTo(heldMicros);
        // The server's share lies inside what the consumer measured around the same call.
        assertThat(TimeUnit.MICROSECONDS.toNanos(running.serverMicros())).isLessThanOrEqualTo(totalNanos[0]);
        assertThat(TimeUnit.MICROSECONDS.toNanos(waiting.serverMicros())).isLessThanOrEqualTo(totalNanos[1]);
    }

    @Test
    void aMethodThatThrewIsTimedAndARequestRefusedBeforeRunningIsNot() {
        RpcServer server = server();
        RpcClient client = client(RpcClient.builder());
        EchoService echo = echo(client, server);

        assertThatThrownBy(() -> echo.fail("threw")).isInstanceOf(RemoteException.class);
        assertThat(CallContext.lastServerTiming()).isNotNull().isEqualTo(seen.get("threw"));

        WhoAmI notExported = client.reference(WhoAmI.class)
                .address("127.0.0.1", server.port())
                .build();
        assertThatThrownBy(notExported::principal).isInstanceOf(ServiceNotFoundException.class);
        assertThat(CallContext.lastServerTiming())
                .as("no stale timing from the previous call")
                .isNull();
        assertThat(seen.get("principal")).as("no timing for the interceptor").isEqualTo(new ServerTiming(0, 0));
    }

    @Test
    void asynchronousCallsAreTimedForInterceptorsAndLeaveTheThreadsLastTimingAlone() throws Exception {
        RpcServer server = server();
        EchoService echo = echo(client(RpcClient.builder()), server);

        assertThat(echo.echo("sync")).isEqualTo("sync");
        ServerTiming sync = CallContext.lastServerTiming();
        assertThat(echo.echoLater("later", HELD_MILLIS).get(10, TimeUnit.SECONDS))
                .isEqualTo("later");

        assertThat(CallContext.lastServerTiming()).isSameAs(sync);
        ServerTiming later = seen.get("later");
        assertThat(later).isNotNull();
        // The method returned a future at once; its execution time runs until that future completed.
        assertThat(later.execMicros()).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toMicros(HELD_MILLIS));
    }

    @Test
    void theClientRecordsQueueExecAndNetworkTimesPerMethod() {
        RpcServer server = server();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        EchoService echo = echo(client(RpcClient.builder().meterRegistry(meters)), server);
        int calls = 3;
        long callMillis = 20;

        for (int i = 0; i < calls; i++) {
            assertThat(echo.sleepThenEcho(callMillis, "m" + i)).isEqualTo("m" + i);
        }
        FunctionTimer exec = meters.get("courier.client.server.exec")
                .tags("service", EchoService.class.getName(), "method", "sleepThenEcho")
                .functionTimer();
        FunctionTimer queue = meters.get("courier.client.server.queue")
                .tags("method", "sleepThenEcho")
                .functionTimer();
        FunctionTimer network = meters.get("courier.client.network")
                .tags("method", "sleepThenEcho")
                .functionTimer();
        Timer total = meters.get("courier.client.calls")
                .tags("method", "sleepThenEcho", "outcome", "ok")
                .timer();
        assertThat(exec.count()).isEqualTo(calls);
        assertThat(queue.count()).isEqualTo(calls);
        assertThat(network.count()).isEqualTo(calls);
        assertThat(exec.totalTime(TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(calls * callMillis);
        long serverMicros = 0;
        for (int i = 0; i < calls; i++) {
            serverMicros += seen.get("m" + i).serverMicros();
        }
        // Per call, network = total − server; summed, the three shares are the total (to rounding).
        // The timers hold nanoseconds and convert them to microseconds as doubles: equal to a
        // thousandth of a microsecond, not to the last bit.
        assertThat(queue.totalTime(TimeUnit.MICROSECONDS) + exec.totalTime(TimeUnit.MICROSECONDS))
                .isCloseTo((double) serverMicros, Offset.offset(0.001));
        assertThat(queue.totalTime(TimeUnit.MICROSECONDS)
                        + exec.totalTime(TimeUnit.MICROSECONDS)
                        + network.totalTime(TimeUnit.MICROSECONDS))
                .isCloseTo(total.totalTime(TimeUnit.MICROSECONDS), Offset.offset(1.0 * calls));
    }
}
