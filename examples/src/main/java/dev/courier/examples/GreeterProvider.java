package dev.courier.examples;

import dev.courier.rpc.RpcServer;

/** Exports {@link Greeter} on a port (first argument, default 0 = any free port). */
public final class GreeterProvider {

    private GreeterProvider() {}

    /** Starts a provider on loopback; the caller owns the returned server. */
    public static RpcServer start(int port) {
        return RpcServer.builder()
                .host("127.0.0.1")
                .port(port)
                .export(Greeter.class, new GreeterImpl())
                .start();
    }

    public static void main(String[] args) throws InterruptedException {
        RpcServer server = start(args.length > 0 ? Integer.parseInt(args[0]) : 0);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "provider-shutdown"));
        System.out.println("Greeter provider listening on " + server.address());
        Thread.currentThread().join();
    }
}
