package dev.courier.rpc.internal.protocol;

import io.netty.buffer.ByteBuf;

import java.util.Map;

/**
 * The handshake that opens every connection, before any request: the client's hello and the server's
 * answer, both frames with {@link FrameFormat#FLAG_HANDSHAKE}. Its bodies:
 *
 * <pre>
 *   client hello (request)       fields          varint n, then n pairs of (string key, string value)
 *                                                keys: {@link #TOKEN} (bearer token, optional)
 *   server answer, STATUS OK     fields          keys: {@link #PRINCIPAL} (who the server takes the
 *                                                client to be; absent when anonymous), {@link #METHOD_IDS}
 *   server answer, other STATUS  error           {@link ErrorInfo}; the server closes the connection
 * </pre>
 *
 * <p>A server that requires authentication answers any request that comes before an accepted hello
 * with {@link Status#UNAUTHENTICATED} and closes the connection.
 *
 * @param requestId the hello's id, echoed by the answer
 * @param response  whether this is the server's answer
 * @param status    {@link Status#OK} in a hello; the verdict in an answer
 * @param fields    the hello's or the accepting answer's fields
 * @param error     why the hello was refused, or null
 */
public record Hello(long requestId, boolean response, Status status, Map<String, String> fields, ErrorInfo error) {

    /** Field of a client hello: the bearer token. */
    public static final String TOKEN = "token";
    /** Field of an accepting answer: the principal the connection runs as. */
    public static final String PRINCIPAL = "principal";
    /**
     * Field of an accepting answer: the server takes requests that name their method by id, and keeps up
     * to this many ids per connection ({@link MethodIds}).
     */
    public static final String METHOD_IDS = "method-ids";

    public Hello {
        fields = fields == null ? Map.of() : Map.copyOf(fields);
    }

    public static Hello request(long requestId, Map<String, String> fields) {
        return new Hello(requestId, false, Status.OK, fields, null);
    }

    /** An accepting answer, which offers {@link MethodIds#MAX} method ids. */
    public static Hello accepted(long requestId, String principal) {
        String ids = Integer.toString(MethodIds.MAX);
        return new Hello(
                requestId,
                true,
                Status.OK,
                principal == null ? Map.of(METHOD_IDS, ids) : Map.of(PRINCIPAL, principal, METHOD_IDS, ids),
                null);
    }

    public static Hello refused(long requestId, Status status, String message) {
        return new Hello(requestId, true, status, Map.of(), ErrorInfo.of(message));
    }

    void writeBodyTo(ByteBuf out) {
        if (error == null) {
            Attachments.write(out, fields);
        } else {
            error.writeTo(out);
        }
    }

    /** Reads the body of a hello or answer frame. */
    public static Hello read(Frame frame) {
        ByteBuf body = frame.body();
        boolean response = frame.isResponse();
        Status status = response ? frame.statusValue() : Status.OK;
        if (status == Status.OK) {
            return new Hello(frame.requestId(), response, status, Attachments.read(body), null);
        }
        return new Hello(frame.requestId(), true, status, Map.of(), ErrorInfo.readFrom(body));
    }
}
