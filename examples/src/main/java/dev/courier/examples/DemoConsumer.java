package dev.courier.examples;

import dev.courier.rpc.LoadBalance;
import dev.courier.rpc.RpcReference;

/** The consumer side of the demo; Courier injects its references. */
public final class DemoConsumer {

    /** Default reference: power-of-two-choices balancing, failover. */
    @RpcReference
    Greeter greeter;

    /** Smooth weighted round-robin: calls split exactly by the providers' weights. */
    @RpcReference(loadBalance = LoadBalance.ROUND_ROBIN)
    Greeter byWeight;
}
