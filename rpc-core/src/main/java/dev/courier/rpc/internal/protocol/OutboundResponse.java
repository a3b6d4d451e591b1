package dev.courier.rpc.internal.protocol;

import dev.courier.serialization.CompressionPolicy;
import dev.courier.serialization.Serializer;

import java.util.Map;

/**
 * A response on its way to {@link FrameEncoder}. Layout of a response body:
 *
 * <pre>
 *   attachments  varint n, then n pairs of (string key, string value)
 *   then, when the status is OK:  the result, one value written by the frame's serializer
 *   otherwise:                    an {@link ErrorInfo}
 * </pre>
 *
 * When the method ran, two of the attachments are the server's timing, in decimal microseconds
 * ({@link ResponseHead#QUEUE_KEY}, {@link ResponseHead#EXEC_KEY}); {@code queueMicros} and
 * {@code execMicros} are {@code -1} when there is none.
 */
public record OutboundResponse(
        long requestId,
        Status status,
        Serializer serializer,
        CompressionPolicy compression,
        Object value,
        ErrorInfo error,
        Map<String, String> attachments,
        long queueMicros,
        long execMicros) {

    public static OutboundResponse ok(
            long requestId,
            Serializer serializer,
            CompressionPolicy compression,
            Object value,
            Map<String, String> attachments) {
        return ok(requestId, serializer, compression, value, attachments, -1, -1);
    }

    /** A result, with the server's queue and execution time. */
    public static OutboundResponse ok(
            long requestId,
            Serializer serializer,
            CompressionPolicy compression,
            Object value,
            Map<String, String> attachments,
            long queueMicros,
            long execMicros) {
        return new OutboundResponse(
                requestId, Status.OK, serializer, compression, value, null, attachments, queueMicros, execMicros);
    }

    public static OutboundResponse error(long requestId, Status status, ErrorInfo error) {
        return error(requestId, status, error, -1, -1);
    }

    /** An error of a method that ran, with the server's queue and execution time. */
    public static OutboundResponse error(
            long requestId, Status status, ErrorInfo error, long queueMicros, long execMicros) {
        return new OutboundResponse(
                requestId, status, null, CompressionPolicy.none(), null, error, Map.of(), queueMicros, execMicros);
    }

    /** Whether the response carries the server's timing. */
    public boolean timed() {
        return queueMicros >= 0 && execMicros >= 0;
    }
}
