package dev.courier.benchmark.rpc;

import dev.courier.rpc.CallContext;
import dev.courier.rpc.RpcClient;
import dev.courier.rpc.RpcServer;
import dev.courier.rpc.TlsOptions;

import java.time.Duration;

/**
 * Courier with a serializer; calls run on the business pool, or on the I/O thread
 * ({@code exportNonBlocking}, comparable to gRPC's {@code directExecutor()}).
 */
final class CourierRpc implements RpcSystem {

    /** The echoed service. */
    public interface BytesEcho {
        byte[] echo(byte[] payload);
    }

    private final String serializer;
    private final boolean ioExecutor;
    private final BenchTls tls;
    private final TimingBreakdown breakdown = new TimingBreakdown();
    private final boolean metrics;
    private io.micrometer.prometheusmetrics.PrometheusMeterRegistry meters;
    private RpcServer server;
    private RpcClient client;

    CourierRpc(String serializer, boolean ioExecutor, BenchTls tls) {
        this(serializer, ioExecutor, tls, false);
    }

    /** @param metrics whether client and server record their meters in a Prometheus registry */
    CourierRpc(String serializer, boolean ioExecutor, BenchTls tls, boolean metrics) {
        this.metrics = metrics;
        this.serializer = serializer;
        this.ioExecutor = ioExecutor;
        this.tls = tls;
    }

    @Override
    public String name() {
        return "courier-" + serializer + (ioExecutor ? "-ioexec" : "") + (tls == null ? "" : "-tls")
                + (metrics ? "-metrics" : "");
    }

    @Override
    public Echo start(int connections) {
        RpcServer.Builder b = RpcServer.builder()
                .host("127.0.0.1")
                .serializer(serializer)
                .maxConnectionsPerAddress(Math.max(1_000, connections))
                .maxConnections(Math.max(10_000, connections));
        RpcClient.Builder cb = RpcClient.builder().connectionsPerAddress(connections);
        if (tls != null) {
            b.tls(TlsOptions.builder()
                    .keyCertChain(tls.serverCert(), tls.serverKey())
                    .build());
            cb.tls(TlsOptions.builder().trust(tls.ca()).build());
        }
        if (metrics) {
            meters = new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(
                    io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT);
            b.meterRegistry(meters);
            cb.meterRegistry(meters);
        }
        BytesEcho impl = payload -> payload;
        server = (ioExecutor ? b.exportNonBlocking(BytesEcho.class, impl) : b.export(BytesEcho.class, impl)).start();
        client = cb.build();
        BytesEcho ref = client.reference(BytesEcho.class)
                .address("127.0.0.1", server.port())
                .serializer(serializer)
                .timeout(Duration.ofSeconds(10))
                .build();
        return payload -> {
            long start = System.nanoTime();
            byte[] answer = ref.echo(payload);
            breakdown.record(System.nanoTime() - start, CallContext.lastServerTiming());
            return answer;
        };
    }

    @Override
    public TimingBreakdown breakdown() {
        return breakdown;
    }

    @Override
    public void close() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
        if (meters != null) {
            meters.close();
        }
    }
}
