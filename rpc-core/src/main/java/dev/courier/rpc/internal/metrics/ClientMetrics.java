package dev.courier.rpc.internal.metrics;

import dev.courier.rpc.ClientInterceptor;
import dev.courier.rpc.Invocation;
import dev.courier.rpc.internal.Primitives;
import dev.courier.rpc.internal.cluster.ErrorKinds;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.concurrent.CompletableFuture;

/**
 * Records every consumer call (all its attempts together): timer {@code courier.client.calls} tagged
 * service, method and outcome ({@code ok} or the error kind), and counter {@code courier.client.errors}
 * tagged service, method and kind. Thread-safe.
 */
public final class ClientMetrics implements ClientInterceptor {

    private final MeterRegistry registry;

    public ClientMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public CompletableFuture<Object> intercept(Invocation invocation, Chain chain) {
        long start = System.nanoTime();
        return chain.proceed(invocation).whenComplete((value, error) -> {
            String outcome = ErrorKinds.of(error == null ? null : Primitives.unwrapCompletion(error));
            String method = invocation.method().getName();
            Timer.builder("courier.client.calls").description("Consumer calls, by outcome")
                    .tags("service", invocation.service(), "method", method, "outcome", outcome)
                    .register(registry).record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
            if (error != null) {
                Counter.builder("courier.client.errors").description("Consumer calls that failed, by kind")
                        .tags("service", invocation.service(), "method", method, "kind", outcome)
                        .register(registry).increment();
            }
        });
    }
}
