package dev.courier.examples.west;

import dev.courier.examples.Greeter;
import dev.courier.examples.GreeterImpl;
import dev.courier.rpc.RpcService;

/** The demo's smaller provider: weight 100. */
@RpcService(value = Greeter.class, weight = 100)
public class WestGreeter extends GreeterImpl {
    public WestGreeter() {
        super("west");
    }
}
