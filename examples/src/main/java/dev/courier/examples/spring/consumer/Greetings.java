package dev.courier.examples.spring.consumer;

import dev.courier.examples.Greeter;
import dev.courier.rpc.RpcReference;
import org.springframework.stereotype.Component;

/** A Spring bean calling the remote {@link Greeter} through the reference the starter injects. */
@Component
public class Greetings {

    @RpcReference(timeoutMillis = 5_000)
    private Greeter greeter;

    /** The provider's greeting of {@code name}, and which provider gave it. */
    public String greet(String name) {
        return greeter.sayHello(name) + " (from " + greeter.origin() + ")";
    }
}
