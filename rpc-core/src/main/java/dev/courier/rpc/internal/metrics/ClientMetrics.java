package dev.courier.rpc.internal.metrics;

import dev.courier.rpc.ClientInterceptor;
import dev.courier.rpc.Invocation;
import dev.courier.rpc.ServerTiming;
import dev.courier.rpc.internal.Primitives;
import dev.courier.rpc.internal.client.ClientInvocation;
import dev.courier.rpc.internal.cluster.ErrorKinds;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Records every consumer call (all its attempts together): timer {@code courier.client.calls} tagged
 * service, method and outcome ({@code ok} or the error kind), and counter {@code courier.client.errors}
 * tagged service, method and kind. When the answering provider reported its timing, also the function
 * timers (count and sum) {@code courier.client.server.queue}, {@code courier.client.server.exec} and
 * {@code courier.client.network} (the call's total less the server's share; for a call that was retried
 * it includes the earlier attempts), tagged service and method. A call is recorded once its caller has
 * the outcome (see {@link ClientInvocation#afterAnswer}): for a synchronous call on the caller's thread
 * before the proxy returns, for an asynchronous one after the caller's own stages, so a meter read as soon
 * as an asynchronous call completes may not count it yet. A recording that fails fails no call.
 * Thread-safe.
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
        // Kept once the caller has its answer, on the caller's thread for a synchronous call: not on the
        // connection's event loop, which every call on the connection waits for.
        if (!(invocation instanceof ClientInvocation c)
                || !c.afterAnswer((value, error) -> record(invocation, start, error))) {
            call.whenComplete((value, error) ->
                    record(invocation, start, error == null ? null : Primitives.unwrapCompletion(error)));
        }
        return call;
    }

    private void record(Invocation invocation, long start, Throwable error) {
        long totalNanos = System.nanoTime() - start;
        String outcome = ErrorKinds.of(error);
        MethodMeters m = meters.computeIfAbsent(
                invocation.method(), method -> new MethodMeters(registry, invocation.service(), method.getName()));
        m.calls(outcome).record(totalNanos, TimeUnit.NANOSECONDS);
        if (error != null) {
            m.errors(outcome).increment();
        }
        ServerTiming timing = invocation.serverTiming();
        if (timing != null) {
            m.queue.add(TimeUnit.MICROSECONDS.toNanos(timing.queueMicros()));
            m.exec.add(TimeUnit.MICROSECONDS.toNanos(timing.execMicros()));
            m.network.add(Math.max(0, totalNanos - TimeUnit.MICROSECONDS.toNanos(timing.serverMicros())));
        }
    }

    /** The meters of one method, looked up once rather than on every call. */
    private static final class MethodMeters {
        private final MeterRegistry registry;
        private final String service;
        private final String method;
        private final Map<String, Timer> calls = new ConcurrentHashMap<>();
        private final Map<String, Counter> errors = new ConcurrentHashMap<>();
        final Share queue;
        final Share exec;
        final Share network;

        MethodMeters(MeterRegistry registry, String service, String method) {
            this.registry = registry;
            this.service = service;
            this.method = method;
            this.queue = Share.register(
                    "courier.client.server.queue",
                    "Time the provider's request waited before the method ran, as it reported",
                    registry,
                    service,
                    method);
            this.exec = Share.register(
                    "courier.client.server.exec",
                    "Time the provider's method ran, as it reported",
                    registry,
                    service,
                    method);
            this.network = Share.register(
                    "courier.client.network",
                    "Call time beyond the provider's queue and execution time: frames, wire, result encoding",
                    registry,
                    service,
                    method);
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

    /**
     * One share of a call's time, kept as a count and a sum (a Prometheus {@code _count} and {@code _sum}):
     * two additions a call, where a {@link Timer} would also keep a windowed maximum. The percentiles of
     * the whole call are in {@code courier.client.calls}.
     */
    static final class Share {
        private final LongAdder count = new LongAdder();
        private final LongAdder nanos = new LongAdder();

        static Share register(String name, String description, MeterRegistry registry, String service, String method) {
            Share share = new Share();
            FunctionTimer.builder(name, share, s -> s.count.sum(), s -> s.nanos.sum(), TimeUnit.NANOSECONDS)
                    .description(description)
                    .tags("service", service, "method", method)
                    .register(registry);
            return share;
        }

        void add(long nanos) {
            count.increment();
            this.nanos.add(nanos);
        }
    }
}
