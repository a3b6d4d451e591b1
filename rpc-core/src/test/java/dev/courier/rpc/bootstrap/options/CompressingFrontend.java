package dev.courier.rpc.bootstrap.options;

import dev.courier.rpc.RpcReference;
import dev.courier.rpc.bootstrap.good.Hello;

/** A reference compressing every request with gzip, and one left to the Courier's defaults. */
public class CompressingFrontend {

    @RpcReference(compression = "gzip", compressionThresholdBytes = 0)
    public Hello gzipped;

    @RpcReference
    public Hello plain;
}
