package dev.courier.rpc.bootstrap.good;

import dev.courier.rpc.LoadBalance;
import dev.courier.rpc.RpcReference;

/** A consumer Courier is handed; not a service. */
public class Frontend {
    @RpcReference(loadBalance = LoadBalance.ROUND_ROBIN, tags = "blue")
    Hello hello;

    public String greet(String name) {
        return hello.hello(name);
    }
}
