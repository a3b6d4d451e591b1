package dev.courier.rpc.internal.protocol;

import io.netty.handler.codec.CorruptedFrameException;

/**
 * The byte stream is not Courier frames (bad magic) or a body cannot be parsed. A bad stream closes
 * the connection; a bad body gets a {@link Status#BAD_REQUEST} answer.
 */
public final class ProtocolException extends CorruptedFrameException {

    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message);
    }

    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
