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
        // a call the client made is timed from when it was made, which it knows already
        long start = invocation instanceof ClientInvocation c ? c.startNanos() : System.nanoTime();
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
        MethodMeters m = meters.computeIfAbsent(
                invocation.method(), method -> new MethodMeters(registry, invocation.service(), method.getName()));
        if (error == null) {
            m.ok.record(totalNanos, TimeUnit.NANOSECONDS);
        } else {
            String outcome = ErrorKinds.of(error);
            m.calls(outcome).record(totalNanos, TimeUnit.NANOSECONDS);
            m.errors(outcome).increment();
        }
        ServerTiming timing = invocation.serverTiming();
        if (timing != null) {
            m.shares.add(timing.queueMicros(), timing.execMicros(), totalNanos);
        }
    }

    /** The meters of one method, looked up once rather than on every call. */
    private static final class MethodMeters {
        private final MeterRegistry registry;
        private final String service;
        private final String method;
        private final Map<String, Timer> calls = new ConcurrentHashMap<>();
        private final Map<String, Counter> errors = new ConcurrentHashMap<>();
        final Shares shares;
        final Timer ok;

        MethodMeters(MeterRegistry registry, String service, String method) {
            this.registry = registry;
            this.service = service;
            this.method = method;
            this.shares = Shares.register(registry, service, method);
            this.ok = timer("ok");
        }

        Timer calls(String outcome) {
            return calls.computeIfAbsent(outcome, this::timer);
        }

        private Timer timer(String outcome) {
            return ServerMetrics.latency(Timer.builder("courier.client.calls"))
                    .description("Consumer calls, by outcome")
                    .tags("service", service, "method", method, "outcome", outcome)
                    .register(registry);
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
     * The three shares of a call's time, each kept as a count and a sum (a Prometheus {@code _count} and
     * {@code _sum}): the count is the same for all three, so a call adds to four sums, where three
     * {@link Timer}s would keep three counts, three sums and three windowed maxima. The percentiles of the
     * whole call are in {@code courier.client.calls}.
     */
    static final class Shares {
        private final LongAdder count = new LongAdder();
        private final LongAdder queueMicros = new LongAdder();
        private final LongAdder execMicros = new LongAdder();
        private final LongAdder networkNanos = new LongAdder();

        static Shares register(MeterRegistry registry, String service, String method) {
            Shares shares = new Shares();
            shares.share(
                    "courier.client.server.queue",
                    "Time the provider's request waited before the method ran, as it reported",
                    s -> s.queueMicros.sum(),
                    TimeUnit.MICROSECONDS,
                    registry,
                    service,
                    method);
            shares.share(
                    "courier.client.server.exec",
                    "Time the provider's method ran, as it reported",
                    s -> s.execMicros.sum(),
                    TimeUnit.MICROSECONDS,
                    registry,
                    service,
                    method);
            shares.share(
                    "courier.client.network",
                    "Call time beyond the provider's queue and execution time: frames, wire, result encoding",
                    s -> s.networkNanos.sum(),
                    TimeUnit.NANOSECONDS,
                    registry,
                    service,
                    method);
            return shares;
        }

        private void share(
                String name,
                String description,
                java.util.function.ToDoubleFunction<Shares> sum,
                TimeUnit unit,
                MeterRegistry registry,
                String service,
                String method) {
            FunctionTimer.builder(name, this, s -> s.count.sum(), sum, unit)
                    .description(description)
                    .tags("service", service, "method", method)
                    .register(registry);
        }

        /** One call's shares: the server's queue and execution time as it reported them, and the call's total. */
        void add(long queueMicros, long execMicros, long totalNanos) {
            count.increment();
            this.queueMicros.add(queueMicros);
            this.execMicros.add(execMicros);
            networkNanos.add(Math.max(0, totalNanos - TimeUnit.MICROSECONDS.toNanos(queueMicros + execMicros)));
        }
    }
}
