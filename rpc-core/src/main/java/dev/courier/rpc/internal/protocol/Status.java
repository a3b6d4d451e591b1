package dev.courier.rpc.internal.protocol;

/** The outcome a response frame carries in its {@code STATUS} byte. */
public enum Status {
    OK(0),
    /** The service method threw; the body carries the exception. */
    REMOTE_EXCEPTION(1),
    SERVICE_NOT_FOUND(2),
    METHOD_NOT_FOUND(3),
    /** The business pool was full; the request was not run. */
    SERVER_BUSY(4),
    /** The request's deadline had passed before it could run; it was not run. */
    DEADLINE_EXCEEDED(5),
    /** The request could not be read: malformed body, unknown serializer, class not allowed. */
    BAD_REQUEST(6),
    /** The frame was larger than the server accepts; its bytes were discarded. */
    FRAME_TOO_LARGE(7),
    /** The server failed on its side, e.g. the result could not be serialized. */
    SERVER_ERROR(8),
    /**
     * The server is shutting down and takes no new requests. In a heartbeat frame the server sends
     * unasked ("go away"), it tells the client to stop sending new calls on that connection.
     */
    SHUTTING_DOWN(9),
    /** The service's or method's rate limit (or concurrency limit) refused the request; it was not run. */
    RATE_LIMITED(10),
    /** The connection's credentials were refused (or none were given where they are required); it closes. */
    UNAUTHENTICATED(11),
    /** The caller's principal may not call this service or method; it was not run. */
    PERMISSION_DENIED(12),
    /** A generic call's arguments do not fit the method's parameters (or name no single method); it was not run. */
    INVALID_ARGUMENT(13);

    private static final Status[] BY_CODE = new Status[256];

    static {
        for (Status s : values()) {
            BY_CODE[s.code] = s;
        }
    }

    private final int code;

    Status(int code) {
        this.code = code;
    }

    public byte code() {
        return (byte) code;
    }

    /** The status for {@code code}, or {@link #SERVER_ERROR} for a code this version does not know. */
    public static Status of(byte code) {
        Status s = BY_CODE[code & 0xFF];
        return s == null ? SERVER_ERROR : s;
    }
}
