package dev.courier.rpc;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** With OpenTelemetry present, each call is a CLIENT span and a child SERVER span, linked by traceparent. */
class TracingTest {

    @RegisterExtension
    static final OpenTelemetryExtension otel = OpenTelemetryExtension.create();

    /** What the provider saw of the trace while the method ran. */
    public interface Traced {
        /** The call's traceparent attachment, then the trace id of the span current in the method. */
        List<String> seen();

        void fail();
    }

    static final class TracedImpl implements Traced {
        @Override
        public List<String> seen() {
            return List.of(
                    String.valueOf(CallContext.attachment("traceparent")),
                    Span.current().getSpanContext().getTraceId());
        }

        @Override
        public void fail() {
            throw new IllegalStateException("traced failure");
        }
    }

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private Traced traced(RpcClient.Builder client) {
        RpcServer server = RpcServer.builder()
                .host("127.0.0.1")
                .export(Traced.class, new TracedImpl())
                .start();
        resources.add(server);
        RpcClient c = client.build();
        resources.add(c);
        return c.reference(Traced.class).address("127.0.0.1", server.port()).build();
    }

    private static SpanData kind(List<SpanData> spans, SpanKind kind) {
        return spans.stream().filter(s -> s.getKind() == kind).findFirst().orElseThrow();
    }

    private List<SpanData> awaitSpans(int n) {
        await().atMost(Duration.ofSeconds(10)).until(() -> otel.getSpans().size() >= n);
        return otel.getSpans();
    }

    @Test
    void aCallIsAClientSpanWithAChildServerSpanAndTheTraceparentTravelsInTheAttachments() {
        Traced traced = traced(RpcClient.builder());

        List<String> seen = traced.seen();

        List<SpanData> spans = awaitSpans(2);
        assertThat(spans).hasSize(2);
        SpanData client = kind(spans, SpanKind.CLIENT);
        SpanData server = kind(spans, SpanKind.SERVER);
        assertThat(client.getName()).isEqualTo(Traced.class.getName() + "/seen");
        assertThat(server.getTraceId()).isEqualTo(client.getTraceId());
        assertThat(server.getParentSpanId()).isEqualTo(client.getSpanId());
        String prefix = "00-" + client.getTraceId() + "-" + client.getSpanId() + "-";
        assertThat(seen.get(0)).startsWith(prefix).hasSize(prefix.length() + 2);
        assertThat(Integer.parseInt(seen.get(0).substring(prefix.length()), 16) & 1)
                .as("sampled flag")
                .isOne();
        assertThat(seen.get(1)).as("the server span is current in the method").isEqualTo(client.getTraceId());
        assertThat(client.getAttributes().asMap().toString()).contains("rpc.system=courier", "rpc.method=seen");
        assertThat(client.getAttributes().asMap().keySet().toString()).contains("courier.server.exec_us");
        assertThat(client.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    }

    @Test
    void aCallInsideTheCallersSpanJoinsItsTrace() {
        Traced traced = traced(RpcClient.builder());
        Span parent = otel.getOpenTelemetry()
                .getTracer("test")
                .spanBuilder("checkout")
                .startSpan();

        Scope scope = parent.makeCurrent();
        try {
            traced.seen();
        } finally {
            scope.close();
            parent.end();
        }

        List<SpanData> spans = awaitSpans(3);
        SpanData client = kind(spans, SpanKind.CLIENT);
        assertThat(client.getTraceId()).isEqualTo(parent.getSpanContext().getTraceId());
        assertThat(client.getParentSpanId()).isEqualTo(parent.getSpanContext().getSpanId());
        assertThat(kind(spans, SpanKind.SERVER).getParentSpanId()).isEqualTo(client.getSpanId());
    }

    @Test
    void aFailedCallEndsBothSpansInError() {
        Traced traced = traced(RpcClient.builder());

        assertThatThrownBy(traced::fail).isInstanceOf(RemoteException.class);

        List<SpanData> spans = awaitSpans(2);
        SpanData client = kind(spans, SpanKind.CLIENT);
        SpanData server = kind(spans, SpanKind.SERVER);
        assertThat(client.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(server.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(server.getEvents()).anySatisfy(e -> assertThat(e.getName()).isEqualTo("exception"));
        assertThat(server.getEvents().get(0).getAttributes().asMap().toString()).contains("traced failure");
    }

    @Test
    void aClientWithTracingOffSendsNoTraceparentAndTheServerStartsATrace() {
        Traced traced = traced(RpcClient.builder().tracing(false));

        List<String> seen = traced.seen();

        List<SpanData> spans = awaitSpans(1);
        assertThat(spans).singleElement().satisfies(s -> {
            assertThat(s.getKind()).isEqualTo(SpanKind.SERVER);
            assertThat(s.getParentSpanContext().isValid()).isFalse();
        });
        assertThat(seen.get(0)).isEqualTo("null");
    }
}
