package dev.courier.examples;

import dev.courier.rpc.RpcClient;
import dev.courier.rpc.RpcServer;

/**
 * What {@code ./courier demo} runs: a {@link Greeter} provider and a consumer in one process on
 * loopback (an ephemeral port), printing every call and its result; then a publish/subscribe round on
 * an embedded broker ({@link PubSubRound}). Exits 0 when everything behaved as expected, 1 otherwise.
 */
public final class Demo {

    static final int EXPECTED_CALLS = 6;

    private Demo() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run() ? 0 : 1);
    }

    static boolean run() throws Exception {
        System.out.println("== Courier demo ==");
        try (RpcServer server = GreeterProvider.start(0);
             RpcClient client = RpcClient.builder().build()) {
            System.out.println("provider: Greeter exported on " + server.address());
            System.out.println("consumer: calling 127.0.0.1:" + server.port());
            int ok = new GreeterConsumer(client, "127.0.0.1", server.port(), System.out).run();
            System.out.printf("consumer: %d of %d calls behaved as expected%n", ok, EXPECTED_CALLS);
            System.out.println("provider: shutting down gracefully");
            if (ok != EXPECTED_CALLS) {
                return false;
            }
        }
        System.out.println("== publish/subscribe ==");
        boolean delivered = new PubSubRound(System.out).run();
        System.out.println(delivered ? "broker: every message reached both subscriptions"
                : "broker: some messages did not arrive");
        return delivered;
    }
}
