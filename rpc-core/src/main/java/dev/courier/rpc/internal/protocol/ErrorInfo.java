package dev.courier.rpc.internal.protocol;

import io.netty.buffer.ByteBuf;

/**
 * An error carried by a response whose status is not {@link Status#OK}. Encoded without the
 * serializer, so that any end can read it whatever its allowlist:
 *
 * <pre>
 *   class    string   exception class name, or null for protocol-level errors
 *   message  string
 *   stack    varint n, then n frames of (string class, string method, string file, i32 line)
 * </pre>
 */
public record ErrorInfo(String className, String message, StackTraceElement[] stack) {

    private static final int MAX_FRAMES = 4096;
    /** Three strings of at least their one-byte length, and the line number. */
    private static final int MIN_FRAME_BYTES = 3 + 4;

    private static final StackTraceElement[] NO_STACK = new StackTraceElement[0];

    public static ErrorInfo of(String message) {
        return new ErrorInfo(null, message, NO_STACK);
    }

    public static ErrorInfo of(Throwable t) {
        return new ErrorInfo(t.getClass().getName(), t.getMessage(), t.getStackTrace());
    }

    public void writeTo(ByteBuf out) {
        Codec.writeString(out, className);
        Codec.writeString(out, message);
        Codec.writeVarInt(out, stack.length);
        for (StackTraceElement e : stack) {
            Codec.writeString(out, e.getClassName());
            Codec.writeString(out, e.getMethodName());
            Codec.writeString(out, e.getFileName());
            out.writeInt(e.getLineNumber());
        }
    }

    public static ErrorInfo readFrom(ByteBuf in) {
        String className = Codec.readString(in);
        String message = Codec.readString(in);
        int n = Codec.readVarInt(in);
        // each frame takes at least MIN_FRAME_BYTES: the array is sized only for frames the bytes can hold
        if (n < 0 || n > MAX_FRAMES || n > in.readableBytes() / MIN_FRAME_BYTES) {
            throw new ProtocolException(
                    "Stack depth " + n + " out of range for the " + in.readableBytes() + " bytes left");
        }
        StackTraceElement[] stack = new StackTraceElement[n];
        for (int i = 0; i < n; i++) {
            String cls = Codec.readString(in);
            String method = Codec.readString(in);
            String file = Codec.readString(in);
            if (in.readableBytes() < 4) {
                throw new ProtocolException("Truncated stack frame");
            }
            int line = in.readInt();
            stack[i] = new StackTraceElement(cls == null ? "?" : cls, method == null ? "?" : method, file, line);
        }
        return new ErrorInfo(className, message, stack);
    }
}
