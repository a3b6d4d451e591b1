package dev.courier.examples;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** The provider's implementation of {@link Greeter}. Thread-safe. */
public class GreeterImpl implements Greeter {

    private final String origin;

    public GreeterImpl() {
        this("provider");
    }

    protected GreeterImpl(String origin) {
        this.origin = origin;
    }

    @Override
    public String origin() {
        return origin;
    }

    @Override
    public String originAfter(long millis) {
        try {
            Thread.sleep(millis); // stands for real work
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return origin;
    }

    private final AtomicLong served = new AtomicLong();
    private final AtomicReference<Greeting> last = new AtomicReference<>(new Greeting("(none yet)", 0));

    @Override
    public String sayHello(String name) {
        String text = "Hello, " + name + "!";
        last.set(new Greeting(text, served.incrementAndGet()));
        return text;
    }

    @Override
    public CompletableFuture<String> sayHelloAsync(String name) {
        return CompletableFuture.completedFuture(sayHello(name));
    }

    @Override
    public Greeting lastGreeting() {
        return last.get();
    }

    @Override
    public String greetStrictly(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
        return sayHello(name);
    }
}
