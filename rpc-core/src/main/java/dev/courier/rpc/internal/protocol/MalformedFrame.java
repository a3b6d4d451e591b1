package dev.courier.rpc.internal.protocol;

/**
 * A frame whose header could be read but that cannot be processed: it was larger than the maximum
 * (its bytes are being discarded) or of an unsupported protocol version. The receiver answers it with
 * {@link #status()} when it was a request; the connection stays open.
 */
public record MalformedFrame(int flags, long requestId, Status status, String reason) implements InboundFrame {}
