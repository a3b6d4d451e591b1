package dev.courier.rpc.internal.tracing;

import dev.courier.rpc.ClientInterceptor;
import dev.courier.rpc.Invocation;
import dev.courier.rpc.ServerTiming;
import dev.courier.rpc.internal.Primitives;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One CLIENT span per call (all its attempts), child of the caller's current span, named
 * {@code service/method}; the W3C {@code traceparent} (and {@code tracestate}) of that span go into the
 * call's attachments. The span ends when the call's future completes: with the error when it failed, and
 * with the provider's reported queue and execution time as attributes. Uses the global OpenTelemetry
 * (no-op until the application or the agent sets one; the trace context still travels). Thread-safe.
 */
final class TracingClientInterceptor implements ClientInterceptor {

    static final String INSTRUMENTATION = "dev.courier.rpc";

    @Override
    public CompletableFuture<Object> intercept(Invocation invocation, Chain chain) {
        String method = invocation.method().getName();
        Span span = GlobalOpenTelemetry.getTracer(INSTRUMENTATION)
                .spanBuilder(invocation.service() + "/" + method)
                .setSpanKind(SpanKind.CLIENT)
                .setAttribute("rpc.system", "courier")
                .setAttribute("rpc.service", invocation.service())
                .setAttribute("rpc.method", method)
                .startSpan();
        Context context = Context.current().with(span);
        W3CTraceContextPropagator.getInstance().inject(context, invocation.attachments(), Map::put);
        CompletableFuture<Object> result;
        try {
            result = chain.proceed(invocation);
        } catch (RuntimeException e) {
            end(span, e, null);
            throw e;
        }
        return result.whenComplete((value, error) -> end(span, error, invocation.serverTiming()));
    }

    private static void end(Span span, Throwable error, ServerTiming timing) {
        if (timing != null) {
            span.setAttribute("courier.server.queue_us", timing.queueMicros());
            span.setAttribute("courier.server.exec_us", timing.execMicros());
        }
        if (error != null) {
            Throwable cause = Primitives.unwrapCompletion(error);
            span.recordException(cause);
            span.setStatus(StatusCode.ERROR, cause.getClass().getSimpleName());
        }
        span.end();
    }
}
