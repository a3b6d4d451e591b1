package dev.courier.rpc.internal.protocol;

/**
 * The layout of every frame Courier sends, in both directions: a fixed 20-byte header followed by a
 * body of {@code BODY_LENGTH} bytes. All integers are big-endian.
 *
 * <pre>
 *   0       2       3       4       5       6       7       8                              16              20
 *   +-------+-------+-------+-------+-------+-------+-------+------------------------------+---------------+
 *   | MAGIC |VERSION| FLAGS |SERIAL.|COMPR. |STATUS | RSVD  |          REQUEST_ID          |  BODY_LENGTH  |
 *   |  u16  |  u8   |  u8   |  u8   |  u8   |  u8   |  u8   |             i64              |      i32      |
 *   +-------+-------+-------+-------+-------+-------+-------+------------------------------+---------------+
 *   | BODY (BODY_LENGTH bytes; compressed with COMPRESSION when that is not 0)                             |
 *   +------------------------------------------------------------------------------------------------------+
 * </pre>
 *
 * <ul>
 *   <li>{@code FLAGS}: {@link #FLAG_RESPONSE} (else a request), {@link #FLAG_HEARTBEAT},
 *       {@link #FLAG_ONE_WAY} (no response expected), {@link #FLAG_HANDSHAKE} (the hello that opens
 *       a connection, layout in {@link Hello}), {@link #FLAG_METHOD_DEF} (binds a method id, never
 *       answered) and {@link #FLAG_METHOD_REF} (a request naming its method by id; both in {@link MethodIds}).</li>
 *   <li>{@code SERIALIZER}: the id of the serializer that wrote the values in the body.</li>
 *   <li>{@code STATUS}: {@link Status#code()} in responses; 0 in requests; in a heartbeat ping from
 *       the server, {@link Status#SHUTTING_DOWN} means "draining, send new calls elsewhere".</li>
 *   <li>{@code REQUEST_ID}: chosen by the client, unique per connection, echoed by the response.</li>
 * </ul>
 *
 * <p>A request body is described by {@link RequestHead}, a response body by {@link OutboundResponse}
 * (written) and {@link ResponseHead} (read).
 */
public final class FrameFormat {

    public static final short MAGIC = (short) 0xC0DE;
    public static final byte VERSION = 1;

    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 2;
    public static final int FLAGS_OFFSET = 3;
    public static final int SERIALIZER_OFFSET = 4;
    public static final int COMPRESSION_OFFSET = 5;
    public static final int STATUS_OFFSET = 6;
    public static final int RESERVED_OFFSET = 7;
    public static final int REQUEST_ID_OFFSET = 8;
    public static final int BODY_LENGTH_OFFSET = 16;
    public static final int HEADER_LENGTH = 20;

    public static final int FLAG_RESPONSE = 1;
    public static final int FLAG_HEARTBEAT = 1 << 1;
    public static final int FLAG_ONE_WAY = 1 << 2;
    /** The first exchange on a connection: the client's credentials and the server's verdict ({@link Hello}). */
    public static final int FLAG_HANDSHAKE = 1 << 3;
    /** A method frame: binds the method its body names to the id in REQUEST_ID ({@link MethodIds}). */
    public static final int FLAG_METHOD_DEF = 1 << 4;
    /** A request that names its method by an id bound earlier on the connection ({@link MethodIds}). */
    public static final int FLAG_METHOD_REF = 1 << 5;

    /** The default largest body accepted: 16 MiB. */
    public static final int DEFAULT_MAX_BODY_LENGTH = 16 * 1024 * 1024;

    private FrameFormat() {}
}
