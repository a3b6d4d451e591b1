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
 * as soon as the caller has the answer may not count it yet; the time recorded is the execution time the
 * response reports (from leaving the queue to the outcome). Thread-safe.
 */
public final class ServerMetrics implements ServerInterceptor {

    private final MeterRegistry registry;
    private final Map<Method, MethodTimers> timers = new ConcurrentHashMap<>();

    public ServerMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Object intercept(Invocation invocation, Chain chain) throws Throwable {
        if (!(invocation instanceof ServerInvocation call)) {
            return timed(invocation, chain);
        }
        // The server times the call for its response already: the books take that time once it is answered.
        Object result;
        try {
            result = chain.proceed(invocation);
        } catch (Throwable t) {
            call.afterResponse(() -> record(call, call.ranNanos(), t));
            throw t;
        }
        if (result instanceof CompletionStage<?> stage) {
            long start = System.nanoTime();
            // runs after the server's own completion stage, which answers the caller: registered later, run first
            stage.whenComplete((v, e) ->
                    record(call, System.nanoTime() - start, e == null ? null : Primitives.unwrapCompletion(e)));
        } else {
            call.afterResponse(() -> record(call, call.ranNanos(), null));
        }
        return result;
    }

    /** For an invocation the server did not make (an interceptor chain run by hand): timed here. */
    private Object timed(Invocation invocation, Chain chain) throws Throwable {
        long start = System.nanoTime();
        Object result;
        try {
            result = chain.proceed(invocation);
        } catch (Throwable t) {
            record(invocation, System.nanoTime() - start, t);
            throw t;
        }
        if (result instanceof CompletionStage<?> stage) {
            stage.whenComplete((v, e) ->
                    record(invocation, System.nanoTime() - start, e == null ? null : Primitives.unwrapCompletion(e)));
        } else {
            record(invocation, System.nanoTime() - start, null);
        }
        return result;
    }

    private void record(Invocation invocation, long nanos, Throwable error) {
        MethodTimers m = timers.computeIfAbsent(invocation.method(), method -> new MethodTimers(registry, invocation));
        (error == null ? m.ok : m.other(error instanceof Rejection r ? r.kind() : "error"))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** The timers of one method: the one of calls that succeeded held at hand, the others by outcome. */
    private static final class MethodTimers {
        private final MeterRegistry registry;
        private final String service;
        private final String method;
        final Timer ok;
        private final Map<String, Timer> others = new ConcurrentHashMap<>();

        MethodTimers(MeterRegistry registry, Invocation invocation) {
            this.registry = registry;
            this.service = invocation.service();
            this.method = invocation.method().getName();
            this.ok = timer("ok");
        }

        Timer other(String outcome) {
            return others.computeIfAbsent(outcome, this::timer);
        }

        private Timer timer(String outcome) {
            return latency(Timer.builder("courier.server.calls"))
                    .description("Calls run by the server, by outcome")
                    .tags("service", service, "method", method, "outcome", outcome)
                    .register(registry);
        }
    }

    /** A latency histogram from 50 µs to 30 s, the range RPC calls fall in. */
    static Timer.Builder latency(Timer.Builder timer) {
        return timer.publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(50_000))
                .maximumExpectedValue(Duration.ofSeconds(30));
    }
}
