package dev.courier.rpc.internal.protocol;

import io.netty.buffer.ByteBuf;

import java.util.Map;

/** Reads the part of a response body before the result or error (see {@link OutboundResponse}). */
public final class ResponseHead {

    private ResponseHead() {
    }

    public static Map<String, String> readAttachments(ByteBuf body) {
        return Attachments.read(body);
    }

    public static void skipAttachments(ByteBuf body) {
        Attachments.read(body);
    }
}
