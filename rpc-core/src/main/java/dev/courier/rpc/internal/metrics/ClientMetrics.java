package dev.courier.rpc.internal.metrics;

import dev.courier.rpc.ClientInterceptor;
import dev.courier.rpc.Invocation;
import dev.courier.rpc.ServerTiming;
import dev.courier.rpc.internal.Primitives;
import dev.courier.rpc.internal.cluster.ErrorKinds;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Records every consumer call (all its attempts together): timer {@code courier.client.calls} tagged
 * service, method and outcome ({@code ok} or the error kind), and counter {@code courier.client.errors}
 * tagged service, method and kind. When the answering provider reported its timing, also the timers
 * {@code courier.client.server.queue}, {@code courier.client.server.exec} and
 * {@code courier.client.network} (the call's total less the server's share; for a call that was retried
 * it includes the earlier attempts), tagged service and method. A call is recorded just after its caller
 * has the answer, so a meter read right after a call returns may not count it yet. Thread-safe.
 */
public final class ClientMetrics implements ClientInterceptor {

    private final MeterRegistry registry;
    private final Map<Method, MethodMeters> meters = new ConcurrentHashMap<>();

    public ClientMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public CompletableFuture<Object> intercept(Invocation invocation, Chain chain) {
        long start = System.nanoTime();
        CompletableFuture<Object> call = chain.proceed(invocation);
        // Recorded in a stage of its own, not in the one the caller gets: a caller waiting on the call is
        // woken first (dependents run last registered first) and the books are kept after, so recording adds
        // nothing to the call's latency. A failure to record cannot fail the call either.
        call.whenComplete((value, error) -> {
            long totalNanos = System.nanoTime() - start;
            String outcome = ErrorKinds.of(error == null ? null : Primitives.unwrapCompletion(error));
            MethodMeters m = meters.computeIfAbsent(
                    invocation.method(), method -> new MethodMeters(registry, invocation.service(), method.getName()));
            m.calls(outcome).record(totalNanos, TimeUnit.NANOSECONDS);
            if (error != null) {
                m.errors(outcome).increment();
            }
            ServerTiming timing = invocation.serverTiming();
            if (timing != null) {
                m.queue.record(timing.queueMicros(), TimeUnit.MICROSECONDS);
                m.exec.record(timing.execMicros(), TimeUnit.MICROSECONDS);
                m.network.record(
                        Math.max(0, totalNanos - TimeUnit.MICROSECONDS.toNanos(timing.serverMicros())),
                        TimeUnit.NANOSECONDS);
            }
        });
        return call;
    }

    /** The meters of one method, looked up once rather than on every call. */
    private static final class MethodMeters {
        private final MeterRegistry registry;
        private final String service;
        private final String method;
        private final Map<String, Timer> calls = new ConcurrentHashMap<>();
        private final Map<String, Counter> errors = new ConcurrentHashMap<>();
        final Timer queue;
        final Timer exec;
        final Timer network;

        MethodMeters(MeterRegistry registry, String service, String method) {
            this.registry = registry;
            this.service = service;
            this.method = method;
            this.queue = Timer.builder("courier.client.server.queue")
                    .description("Time the provider's request waited before the method ran, as it reported")
                    .tags("service", service, "method", method)
                    .register(registry);
            this.exec = Timer.builder("courier.client.server.exec")
                    .description("Time the provider's method ran, as it reported")
                    .tags("service", service, "method", method)
                    .register(registry);
            this.network = Timer.builder("courier.client.network")
                    .description(
                            "Call time beyond the provider's queue and execution time: frames, wire, result encoding")
                    .tags("service", service, "method", method)
                    .register(registry);
        }

        Timer calls(String outcome) {
            return calls.computeIfAbsent(
                    outcome,
                    o -> ServerMetrics.latency(Timer.builder("courier.client.calls"))
                            .description("Consumer calls, by outcome")
                            .tags("service", service, "method", method, "outcome", o)
                            .register(registry));
        }

        Counter errors(String kind) {
            return errors.computeIfAbsent(
                    kind,
                    k -> Counter.builder("courier.client.errors")
                            .description("Consumer calls that failed, by kind")
                            .tags("service", service, "method", method, "kind", k)
                            .register(registry));
        }
    }
}
