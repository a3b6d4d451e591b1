package dev.courier.rpc.internal.metrics;

import dev.courier.rpc.Invocation;
import dev.courier.rpc.ServerInterceptor;
import dev.courier.rpc.internal.Primitives;
import dev.courier.rpc.internal.server.Rejection;
import dev.courier.rpc.internal.server.ServerInvocation;
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
 * once per method and outcome, not per call. A call is recorded once its response is queued, so a meter read
 * as soon as the caller has the answer may not count it yet. Thread-safe.
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
            recordAfterResponse(invocation, System.nanoTime() - start, t);
            throw t;
        }
        if (result instanceof CompletionStage<?> stage) {
            // runs after the server's own completion stage, which answers the caller: registered later, run first
            stage.whenComplete((v, e) ->
                    record(invocation, System.nanoTime() - start, e == null ? null : Primitives.unwrapCompletion(e)));
        } else {
            recordAfterResponse(invocation, System.nanoTime() - start, null);
        }
        return result;
    }

    /** Records once the answer is on its way, so that keeping the books does not delay it. */
    private void recordAfterResponse(Invocation invocation, long nanos, Throwable error) {
        if (invocation instanceof ServerInvocation call) {
            call.afterResponse(() -> record(invocation, nanos, error));
        } else {
            record(invocation, nanos, error);
        }
    }

    private void record(Invocation invocation, long nanos, Throwable error) {
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
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A latency histogram from 50 µs to 30 s, the range RPC calls fall in. */
    static Timer.Builder latency(Timer.Builder timer) {
        return timer.publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(50_000))
                .maximumExpectedValue(Duration.ofSeconds(30));
    }
}
