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
 */
public record OutboundResponse(long requestId, Status status, Serializer serializer, CompressionPolicy compression,
                               Object value, ErrorInfo error, Map<String, String> attachments) {

    public static OutboundResponse ok(long requestId, Serializer serializer, CompressionPolicy compression,
                                      Object value, Map<String, String> attachments) {
        return new OutboundResponse(requestId, Status.OK, serializer, compression, value, null, attachments);
    }

    public static OutboundResponse error(long requestId, Status status, ErrorInfo error) {
        return new OutboundResponse(requestId, status, null, CompressionPolicy.none(), null, error, Map.of());
    }
}
