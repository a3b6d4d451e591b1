package dev.courier.rpc.internal.protocol;

import io.netty.buffer.ByteBuf;

import java.util.Map;

/**
 * The part of a request body before the arguments. Layout of a request body:
 *
 * <pre>
 *   service      string   interface name
 *   version      string
 *   group        string
 *   method       string   method name
 *   params       string   JVM descriptors of the parameter types, e.g. "Ljava/lang/String;I"
 *   timeout      varint   milliseconds left of the caller's deadline when sent; 0 = none
 *   attachments  varint n, then n pairs of (string key, string value)
 *   args         varint n, then n values
 * </pre>
 */
public record RequestHead(
        String service,
        String version,
        String group,
        String method,
        String params,
        int timeoutMillis,
        Map<String, String> attachments) {

    public void writeTo(ByteBuf out) {
        Codec.writeString(out, service);
        Codec.writeString(out, version);
        Codec.writeString(out, group);
        Codec.writeString(out, method);
        Codec.writeString(out, params);
        Codec.writeVarInt(out, timeoutMillis);
        Attachments.write(out, attachments);
    }

    /** Reads a head, leaving {@code in} at the argument count. */
    public static RequestHead readFrom(ByteBuf in) {
        String service = Codec.readString(in);
        String version = Codec.readString(in);
        String group = Codec.readString(in);
        String method = Codec.readString(in);
        String params = Codec.readString(in);
        int timeout = Codec.readVarInt(in);
        Map<String, String> attachments = Attachments.read(in);
        if (service == null || method == null || params == null) {
            throw new ProtocolException("Request names no service, method or parameter types");
        }
        return new RequestHead(
                service,
                version == null ? "" : version,
                group == null ? "" : group,
                method,
                params,
                timeout,
                attachments);
    }
}
