package dev.courier.rpc.internal.protocol;

import dev.courier.serialization.CompressionPolicy;
import dev.courier.serialization.Serializer;

import java.util.function.Consumer;

/**
 * A request on its way to {@link FrameEncoder}. The arguments are serialized straight into the frame
 * by the encoder and the body compressed when {@code compression} says so; if serialization fails, {@code
 * onEncodeFailure} is told and nothing is written.
 */
public record OutboundRequest(
        long requestId,
        int flags,
        Serializer serializer,
        CompressionPolicy compression,
        RequestHead head,
        Object[] args,
        Consumer<Throwable> onEncodeFailure) {}
