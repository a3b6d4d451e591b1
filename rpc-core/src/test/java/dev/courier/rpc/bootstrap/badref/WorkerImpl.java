package dev.courier.rpc.bootstrap.badref;

import dev.courier.rpc.RpcReference;
import dev.courier.rpc.RpcService;

@RpcService
public class WorkerImpl implements Worker {
    @RpcReference
    WorkerImpl notAnInterface;

    @RpcReference(loadBalance = "fastest")
    Worker unknownBalancer;

    @Override
    public void work() {}
}
