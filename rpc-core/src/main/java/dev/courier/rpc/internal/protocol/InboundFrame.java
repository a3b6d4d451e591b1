package dev.courier.rpc.internal.protocol;

/** What {@link FrameDecoder} produces: a well-formed {@link Frame} or a {@link MalformedFrame}. */
public sealed interface InboundFrame permits Frame, MalformedFrame {

    long requestId();

    int flags();

    default boolean isResponse() {
        return (flags() & FrameFormat.FLAG_RESPONSE) != 0;
    }

    default boolean isHeartbeat() {
        return (flags() & FrameFormat.FLAG_HEARTBEAT) != 0;
    }

    default boolean isHandshake() {
        return (flags() & FrameFormat.FLAG_HANDSHAKE) != 0;
    }

    /** A method frame, which binds a method id and is never answered ({@link MethodIds}). */
    default boolean isMethodDefinition() {
        return (flags() & FrameFormat.FLAG_METHOD_DEF) != 0;
    }

    /** A request that names its method by id ({@link MethodIds}). */
    default boolean hasMethodId() {
        return (flags() & FrameFormat.FLAG_METHOD_REF) != 0;
    }

    default boolean isOneWay() {
        return (flags() & FrameFormat.FLAG_ONE_WAY) != 0;
    }
}
