package dev.courier.rpc.bootstrap.duplicate;

import dev.courier.rpc.RpcService;

@RpcService
public class EchoTwo implements Echo {
    @Override
    public String echo(String s) {
        return s;
    }
}
