package dev.courier.rpc.internal.protocol;

import io.netty.buffer.ByteBuf;

import java.util.Map;

/**
 * The part of a request body before the arguments. Layout of a request body:
 *
 * <pre>
 *   method       either, without {@link FrameFormat#FLAG_METHOD_REF}, the {@link MethodKey} in full:
 *     service      string   interface name
 *     version      string
 *     group        string
 *     method       string   method name
 *     params       string   JVM descriptors of the parameter types, e.g. "Ljava/lang/String;I"
 *                or, with {@link FrameFormat#FLAG_METHOD_REF}:
 *     method id    varint   bound earlier on this connection by a method frame (see {@link MethodIds})
 *   timeout      varint   milliseconds left of the caller's deadline when sent; 0 = none
 *   attachments  varint n, then n pairs of (string key, string value)
 *   args         varint n, then n values
 * </pre>
 */
public record RequestHead(MethodKey target, int timeoutMillis, Map<String, String> attachments) {

    public RequestHead(
            String service,
            String version,
            String group,
            String method,
            String params,
            int timeoutMillis,
            Map<String, String> attachments) {
        this(new MethodKey(service, version, group, method, params), timeoutMillis, attachments);
    }

    public String service() {
        return target.service();
    }

    public String version() {
        return target.version();
    }

    public String group() {
        return target.group();
    }

    public String method() {
        return target.method();
    }

    public String params() {
        return target.params();
    }

    /** Writes the head with the method in full. */
    public void writeTo(ByteBuf out) {
        target.writeTo(out);
        writeRestTo(out);
    }

    /** Writes the head with the method as {@code methodId}, bound earlier on the connection. */
    void writeTo(ByteBuf out, int methodId) {
        Codec.writeVarInt(out, methodId);
        writeRestTo(out);
    }

    private void writeRestTo(ByteBuf out) {
        Codec.writeVarInt(out, timeoutMillis);
        Attachments.write(out, attachments);
    }

    /** Reads a head that names its method in full, leaving {@code in} at the argument count. */
    public static RequestHead readFrom(ByteBuf in) {
        return readRestFrom(MethodKey.readFrom(in), in);
    }

    /** Reads what follows the method (already read, in full or as an id), leaving {@code in} at the argument count. */
    public static RequestHead readRestFrom(MethodKey target, ByteBuf in) {
        int timeout = Codec.readVarInt(in);
        Map<String, String> attachments = Attachments.read(in);
        return new RequestHead(target, timeout, attachments);
    }
}
