package dev.courier.benchmark.rpc;

/**
 * An RPC system under test: a server and a client in this JVM on loopback, serving a unary echo of a
 * byte array. {@link #close()} stops both.
 */
public interface RpcSystem extends AutoCloseable {

    /** A blocking echo call; thread-safe. */
    @FunctionalInterface
    interface Echo {
        byte[] echo(byte[] payload) throws Exception;
    }

    /** The name printed in results, e.g. {@code courier-kryo}. */
    String name();

    /** Starts the server and a client with {@code connections} connections; returns the call. */
    Echo start(int connections) throws Exception;

    /** Where the calls' time went (server queue, execution, network), when the system reports it; else null. */
    default TimingBreakdown breakdown() {
        return null;
    }

    /** Stops the client and the server. */
    @Override
    void close();

    /** The systems this harness knows, by name, in plaintext. */
    static RpcSystem named(String name) {
        return named(name, null);
    }

    /**
     * The system {@code name} with TLS on both sides when {@code tls} is given (certificates of a
     * development CA, {@link BenchTls}); its name then ends in {@code -tls}. Only Courier and gRPC-java
     * run with TLS ({@link #TLS_CAPABLE}).
     */
    static RpcSystem named(String name, BenchTls tls) {
        if (tls != null) {
            return switch (name) {
                case "courier-kryo" -> new CourierRpc("kryo", false, tls);
                case "courier-protostuff" -> new CourierRpc("protostuff", false, tls);
                case "courier-kryo-ioexec" -> new CourierRpc("kryo", true, tls);
                case "grpc-direct" -> new GrpcRpc(true, tls);
                case "grpc-default" -> new GrpcRpc(false, tls);
                default ->
                    throw new IllegalArgumentException("No TLS variant of '" + name + "'; with TLS: " + TLS_CAPABLE);
            };
        }
        return switch (name) {
            case "courier-kryo" -> new CourierRpc("kryo", false, null);
            case "courier-protostuff" -> new CourierRpc("protostuff", false, null);
            case "courier-kryo-ioexec" -> new CourierRpc("kryo", true, null);
            case "courier-kryo-metrics" -> new CourierRpc("kryo", false, null, true);
            case "grpc-direct" -> new GrpcRpc(true, null);
            case "grpc-default" -> new GrpcRpc(false, null);
            case "dubbo-hessian2" -> new DubboRpc("hessian2");
            case "dubbo-fastjson2" -> new DubboRpc("fastjson2");
            case NettyRawRpc.NAME -> new NettyRawRpc();
            default -> throw new IllegalArgumentException("Unknown system '" + name + "'; known: " + KNOWN);
        };
    }

    /**
     * Every system's name, Courier's first, the peers next, and last {@code netty-raw}: Courier's frames over
     * bare Netty, the limit Courier's own figures are put over ({@code LIMIT} lines). Not listed, so that
     * {@code --compare} leaves it out: {@code courier-kryo-metrics}, Courier recording its meters in a Prometheus
     * registry (the cost of metrics).
     */
    java.util.List<String> KNOWN = java.util.List.of(
            "courier-kryo",
            "courier-protostuff",
            "courier-kryo-ioexec",
            "grpc-direct",
            "grpc-default",
            "dubbo-hessian2",
            "dubbo-fastjson2",
            NettyRawRpc.NAME);

    /** The systems that run with TLS ({@code --tls}). */
    java.util.List<String> TLS_CAPABLE = java.util.List.of(
            "courier-kryo", "courier-protostuff", "courier-kryo-ioexec", "grpc-direct", "grpc-default");
}
