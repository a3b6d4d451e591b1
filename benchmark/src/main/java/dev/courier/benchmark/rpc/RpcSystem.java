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

    /** Stops the client and the server. */
    @Override
    void close();

    /** The systems this harness knows, by name. */
    static RpcSystem named(String name) {
        return switch (name) {
            case "courier-kryo" -> new CourierRpc("kryo", false);
            case "courier-protostuff" -> new CourierRpc("protostuff", false);
            case "courier-kryo-ioexec" -> new CourierRpc("kryo", true);
            case "grpc-direct" -> new GrpcRpc(true);
            case "grpc-default" -> new GrpcRpc(false);
            case "dubbo-hessian2" -> new DubboRpc("hessian2");
            case "dubbo-fastjson2" -> new DubboRpc("fastjson2");
            default -> throw new IllegalArgumentException("Unknown system '" + name + "'; known: " + KNOWN);
        };
    }

    /** Every system's name, Courier's first. */
    java.util.List<String> KNOWN = java.util.List.of("courier-kryo", "courier-protostuff", "courier-kryo-ioexec",
            "grpc-direct", "grpc-default", "dubbo-hessian2", "dubbo-fastjson2");
}
