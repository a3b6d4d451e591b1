package dev.courier.examples;

import dev.courier.rpc.RemoteException;
import dev.courier.rpc.RpcClient;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Calls a {@link Greeter} provider and prints each call and its result. */
public final class GreeterConsumer {

    private final Greeter greeter;
    private final PrintStream out;

    public GreeterConsumer(RpcClient client, String host, int port, PrintStream out) {
        this(
                client.reference(Greeter.class)
                        .address(host, port)
                        .timeout(Duration.ofSeconds(3))
                        .build(),
                out);
    }

    /** Calls through {@code greeter}, a proxy made any way (direct address, registry, injection). */
    public GreeterConsumer(Greeter greeter, PrintStream out) {
        this.greeter = greeter;
        this.out = out;
    }

    /** Makes a round of calls; returns how many succeeded as expected. */
    public int run() throws Exception {
        int ok = 0;
        for (String name : List.of("Ada", "Grace", "Linus")) {
            long start = System.nanoTime();
            String reply = greeter.sayHello(name);
            out.printf(
                    "  sayHello(%s) -> %s  (%d us)%n",
                    name, reply, TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start));
            ok++;
        }

        List<CompletableFuture<String>> async = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            async.add(greeter.sayHelloAsync("async-" + i));
        }
        CompletableFuture.allOf(async.toArray(new CompletableFuture<?>[0])).get(5, TimeUnit.SECONDS);
        out.printf(
                "  5 async calls in flight at once -> %s%n",
                async.stream().map(CompletableFuture::join).toList());
        ok++;

        Greeter.Greeting last = greeter.lastGreeting();
        out.printf("  lastGreeting() -> %s%n", last);
        ok++;

        try {
            greeter.greetStrictly(" ");
            out.println("  greetStrictly(\" \") unexpectedly succeeded");
        } catch (RemoteException e) {
            out.printf(
                    "  greetStrictly(\" \") -> %s: %s (thrown by the provider)%n",
                    e.remoteClassName(), e.remoteMessage());
            ok++;
        }
        return ok;
    }

    /** Calls the provider at {@code host:port} (arguments; default 127.0.0.1). */
    public static void main(String[] args) throws Exception {
        String host = args.length > 1 ? args[0] : "127.0.0.1";
        int port = Integer.parseInt(args[args.length - 1]);
        try (RpcClient client = RpcClient.builder().build()) {
            new GreeterConsumer(client, host, port, System.out).run();
        }
    }
}
