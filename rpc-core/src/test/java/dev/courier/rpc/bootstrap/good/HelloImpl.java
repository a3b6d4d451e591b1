package dev.courier.rpc.bootstrap.good;

import dev.courier.rpc.RpcService;

@RpcService(weight = 200, tags = "blue")
public class HelloImpl implements Hello {
    @Override
    public String hello(String name) {
        return "Hello, " + name;
    }
}
