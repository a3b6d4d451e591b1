package dev.courier.spring.boot;

/** The service the test's provider context exports and its consumer context calls. */
public interface Greeter {

    String greet(String name);

    /** Answers after {@code millis}: a call that is in flight while the provider shuts down. */
    String slowGreet(String name, long millis);
}
