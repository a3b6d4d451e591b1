package dev.courier.spring.boot;

import dev.courier.rpc.RpcReference;
import org.springframework.beans.factory.InitializingBean;

/** A consumer bean with a reference field, which must be set before its init method runs. */
public class GreetingClient implements InitializingBean {

    @RpcReference(timeoutMillis = 10_000)
    Greeter greeter;

    boolean injectedBeforeInit;

    @Override
    public void afterPropertiesSet() {
        injectedBeforeInit = greeter != null;
    }

    public String hello(String name) {
        return greeter.greet(name);
    }
}
