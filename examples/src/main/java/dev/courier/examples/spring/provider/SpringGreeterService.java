package dev.courier.examples.spring.provider;

import dev.courier.examples.Greeter;
import dev.courier.examples.GreeterImpl;
import dev.courier.rpc.RpcService;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;

/** {@link dev.courier.examples.Greeter} as a Spring service, created by Spring with its origin injected. */
@Service
@RpcService(Greeter.class)
public class SpringGreeterService extends GreeterImpl {

    public SpringGreeterService(@Value("${greeter.origin}") String origin) {
        super(origin);
    }
}
