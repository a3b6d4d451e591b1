package dev.courier.rpc.internal.protocol;

import io.netty.buffer.ByteBuf;

/**
 * A decoded frame: the header fields and the body. The frame owns {@code body}; whoever receives the
 * frame must {@link #release()} it exactly once.
 */
public record Frame(int flags, byte serializerId, byte compressionId, byte status, long requestId, ByteBuf body)
        implements InboundFrame {

    public Status statusValue() {
        return Status.of(status);
    }

    public void release() {
        body.release();
    }
}
