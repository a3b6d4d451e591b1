package dev.courier.rpc.internal.metrics;

import dev.courier.rpc.Invocation;
import dev.courier.rpc.ServerInterceptor;
import dev.courier.rpc.internal.Primitives;
import dev.courier.rpc.internal.server.Rejection;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Records every call a server runs: timer {@code courier.server.calls} tagged service, method and
 * outcome ({@code ok}, {@code error} when the service threw, or the rejection: {@code rate_limited},
 * {@code busy}), with a latency histogram (Prometheus {@code _bucket} series). Meters are looked up
 * once per method and outcome, not per call. Thread-safe.
 */
public final class ServerMetrics implements ServerInterceptor {

    private final MeterRegistry registry;
    private final Map<Method, Map<String, Timer>> timers = new ConcurrentHashMap<>();

    public ServerMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Object intercept(Invocation invocation, Chain chain) throws Throwable {
        long start = System.nanoTime();
        Object result;
        try {
            result = chain.proceed(invocation);
        } catch (Throwable t) {
            record(invocation, start, t);
            throw t;
        }
        if (result instanceof CompletionStage<?> stage) {
            stage.whenComplete((v, e) -> record(invocation, start, e == null ? null : Primitives.unwrapCompletion(e)));
        } else {
            record(invocation, start, null);
        }
        return result;
    }

    private void record(Invocation invocation, long start, Throwable error) {
        String outcome = error == null ? "ok" : error instanceof Rejection r ? r.kind() : "error";
        timers.computeIfAbsent(invocation.method(), m -> new ConcurrentHashMap<>())
                .computeIfAbsent(
                        outcome,
                        o -> latency(Timer.builder("courier.server.calls"))
                                .description("Calls run by the server, by outcome")
                                .tags(
                                        "service",
                                        invocation.service(),
                                        "method",
                                        invocation.method().getName(),
                                        "outcome",
                                        o)
                                .register(registry))
                .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }

    /** A latency histogram from 50 µs to 30 s, the range RPC calls fall in. */
    static Timer.Builder latency(Timer.Builder timer) {
        return timer.publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(50_000))
                .maximumExpectedValue(Duration.ofSeconds(30));
    }
}
