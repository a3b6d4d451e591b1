package dev.courier.benchmark.jmh;

import dev.courier.rpc.ClientInterceptor;
import dev.courier.rpc.Invocation;
import dev.courier.rpc.ServerInterceptor;
import dev.courier.rpc.ServerTiming;
import dev.courier.rpc.internal.metrics.ClientMetrics;
import dev.courier.rpc.internal.metrics.ServerMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What Courier's metrics add to one call, both sides in one process as in {@code bench rpc}: the
 * provider's {@code courier.server.calls} timer and the consumer's {@code courier.client.calls},
 * queue, exec and network timers, recorded into the admin port's Prometheus registry ({@code metrics}),
 * against the same two interceptor hops that record nothing ({@code none}). The difference, in ns per
 * call, over a call's time in {@code bench rpc} is the share of a call the metrics cost.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MetricsRecordingBenchmark {

    /** The called interface. */
    public interface Echo {
        byte[] echo(byte[] payload);
    }

    private static final byte[] PAYLOAD = new byte[100];

    @Param({"none", "metrics"})
    String recording;

    private PrometheusMeterRegistry registry;
    private ClientInterceptor client;
    private ServerInterceptor server;
    private Invocation invocation;

    @Setup
    public void setUp() throws NoSuchMethodException {
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        if (recording.equals("metrics")) {
            client = new ClientMetrics(registry);
            server = new ServerMetrics(registry);
        } else {
            client = (inv, chain) -> chain.proceed(inv);
            server = (inv, chain) -> chain.proceed(inv);
        }
        invocation = new Call(Echo.class.getMethod("echo", byte[].class));
    }

    @TearDown
    public void tearDown() {
        registry.close();
    }

    @Benchmark
    public Object call() throws Throwable {
        Object result = server.intercept(invocation, inv -> PAYLOAD);
        return client.intercept(invocation, inv -> CompletableFuture.completedFuture(result))
                .join();
    }

    /** A call whose provider reported its timing, as every Courier provider does. */
    private static final class Call implements Invocation {
        private final Method method;
        private final Map<String, String> attachments = new HashMap<>();
        private final ServerTiming timing = new ServerTiming(12, 30);

        Call(Method method) {
            this.method = method;
        }

        @Override
        public String service() {
            return Echo.class.getName();
        }

        @Override
        public String version() {
            return "";
        }

        @Override
        public String group() {
            return "";
        }

        @Override
        public Method method() {
            return method;
        }

        @Override
        public Object[] arguments() {
            return new Object[] {PAYLOAD};
        }

        @Override
        public Map<String, String> attachments() {
            return attachments;
        }

        @Override
        public long remainingMillis() {
            return 3_000;
        }

        @Override
        public ServerTiming serverTiming() {
            return timing;
        }
    }
}
