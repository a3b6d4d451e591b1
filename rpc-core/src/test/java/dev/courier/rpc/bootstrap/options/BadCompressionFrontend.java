package dev.courier.rpc.bootstrap.options;

import dev.courier.rpc.RpcReference;
import dev.courier.rpc.bootstrap.good.Hello;

/** A reference naming a compression codec that does not exist. */
public class BadCompressionFrontend {

    @RpcReference(compression = "zstd", serializer = "json")
    Hello hello;
}
