package dev.courier.rpc.internal.protocol;

import dev.courier.rpc.ServerTiming;
import io.netty.buffer.ByteBuf;

import java.util.Map;

/** Reads the part of a response body before the result or error (see {@link OutboundResponse}). */
public final class ResponseHead {

    /** The attachment holding the server's queue time, decimal microseconds. */
    public static final String QUEUE_KEY = "courier-queue-us";
    /** The attachment holding the server's execution time, decimal microseconds. */
    public static final String EXEC_KEY = "courier-exec-us";

    static final byte[] QUEUE_KEY_BYTES = Attachments.encodedKey(QUEUE_KEY);
    static final byte[] EXEC_KEY_BYTES = Attachments.encodedKey(EXEC_KEY);

    private ResponseHead() {}

    public static Map<String, String> readAttachments(ByteBuf body) {
        return Attachments.read(body);
    }

    public static void skipAttachments(ByteBuf body) {
        Attachments.read(body);
    }

    /** Reads the attachments past; the server's timing among them, or {@code null} when there is none. */
    public static ServerTiming readTiming(ByteBuf body) {
        return Attachments.readTiming(body, QUEUE_KEY_BYTES, EXEC_KEY_BYTES);
    }
}
