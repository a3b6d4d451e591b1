package dev.courier.rpc.internal.metrics;

import dev.courier.rpc.Invocation;
import dev.courier.rpc.ServerInterceptor;
import dev.courier.rpc.internal.Primitives;
import dev.courier.rpc.internal.server.Rejection;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Records every call a server runs: timer {@code courier.server.calls} tagged service, method and
 * outcome ({@code ok}, {@code error} when the service threw, or the rejection: {@code rate_limited},
 * {@code busy}). Thread-safe.
 */
public final class ServerMetrics implements ServerInterceptor {

    private final MeterRegistry registry;

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
        Timer.builder("courier.server.calls").description("Calls run by the server, by outcome")
                .tags("service", invocation.service(), "method", invocation.method().getName(), "outcome", outcome)
                .register(registry).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
}
