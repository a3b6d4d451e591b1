package dev.courier.examples;

import dev.courier.rpc.Idempotent;

import java.util.concurrent.CompletableFuture;

/** The service the examples export and call. */
public interface Greeter {

    /** A greeting for {@code name}. */
    String sayHello(String name);

    /** A greeting delivered asynchronously. */
    CompletableFuture<String> sayHelloAsync(String name);

    /** The greetings served so far by the provider that answers. */
    Greeting lastGreeting();

    /** Takes {@code millis} (a slow call) and answers with the name of the provider that served it. */
    String originAfter(long millis);

    /** The name of the provider that answers. */
    @Idempotent
    String origin();

    /** Fails for an empty name, to show how service exceptions travel. */
    String greetStrictly(String name);

    /** A greeting with its sequence number. */
    record Greeting(String text, long sequence) {}
}
