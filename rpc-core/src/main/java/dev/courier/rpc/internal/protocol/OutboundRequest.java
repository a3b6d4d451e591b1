package dev.courier.rpc.internal.protocol;

import dev.courier.serialization.Serializer;

import java.util.function.Consumer;

/**
 * A request on its way to {@link FrameEncoder}. The arguments are serialized straight into the frame
 * by the encoder; if that fails, {@code onEncodeFailure} is told and nothing is written.
 */
public record OutboundRequest(long requestId, int flags, Serializer serializer, RequestHead head, Object[] args,
                              Consumer<Throwable> onEncodeFailure) {
}
