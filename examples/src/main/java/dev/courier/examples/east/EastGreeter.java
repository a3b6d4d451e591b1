package dev.courier.examples.east;

import dev.courier.examples.Greeter;
import dev.courier.examples.GreeterImpl;
import dev.courier.rpc.RpcService;

/** The demo's bigger provider: weight 300. */
@RpcService(value = Greeter.class, weight = 300)
public class EastGreeter extends GreeterImpl {
    public EastGreeter() {
        super("east");
    }
}
