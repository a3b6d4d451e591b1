package dev.courier.rpc.internal.tracing;

import dev.courier.rpc.Invocation;
import dev.courier.rpc.ServerInterceptor;
import dev.courier.rpc.internal.Primitives;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;

import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * One SERVER span per call a provider runs, child of the consumer's span named by the call's
 * {@code traceparent} attachment (a new trace without one), current while the method runs so that
 * what it calls joins the trace; it ends with the method's result (for an asynchronous method, its
 * future), with the error when the method threw. Thread-safe.
 */
final class TracingServerInterceptor implements ServerInterceptor {

    private static final TextMapGetter<Map<String, String>> ATTACHMENTS =
            (carrier, key) -> carrier == null ? null : carrier.get(key);

    @Override
    public Object intercept(Invocation invocation, Chain chain) throws Throwable {
        Context parent =
                W3CTraceContextPropagator.getInstance().extract(Context.root(), invocation.attachments(), ATTACHMENTS);
        String method = invocation.method().getName();
        Span span = GlobalOpenTelemetry.getTracer(TracingClientInterceptor.INSTRUMENTATION)
                .spanBuilder(invocation.service() + "/" + method)
                .setParent(parent)
                .setSpanKind(SpanKind.SERVER)
                .setAttribute("rpc.system", "courier")
                .setAttribute("rpc.service", invocation.service())
                .setAttribute("rpc.method", method)
                .startSpan();
        Object result;
        Scope scope = span.makeCurrent();
        try {
            result = chain.proceed(invocation);
        } catch (Throwable t) {
            end(span, t);
            throw t;
        } finally {
            scope.close();
        }
        if (result instanceof CompletionStage<?> stage) {
            stage.whenComplete((v, e) -> end(span, e));
        } else {
            end(span, null);
        }
        return result;
    }

    private static void end(Span span, Throwable error) {
        if (error != null) {
            Throwable cause = Primitives.unwrapCompletion(error);
            span.recordException(cause);
            span.setStatus(StatusCode.ERROR, cause.getClass().getSimpleName());
        }
        span.end();
    }
}
