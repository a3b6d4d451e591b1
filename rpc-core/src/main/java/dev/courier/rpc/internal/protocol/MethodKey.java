package dev.courier.rpc.internal.protocol;

/**
 * What names one method of one exported service on the wire: the first five strings of a request head.
 * A client makes one per method of a reference and reuses it for every call; a connection binds it to a
 * method id once (see {@link MethodIds}).
 *
 * @param service interface name
 * @param version the service's version, "" for none
 * @param group   the service's group, "" for none
 * @param method  method name
 * @param params  JVM descriptors of the parameter types, e.g. "Ljava/lang/String;I"
 */
public record MethodKey(String service, String version, String group, String method, String params) {

    void writeTo(io.netty.buffer.ByteBuf out) {
        Codec.writeString(out, service);
        Codec.writeString(out, version);
        Codec.writeString(out, group);
        Codec.writeString(out, method);
        Codec.writeString(out, params);
    }

    /** Reads the five strings; a missing service, method or parameter list is a {@link ProtocolException}. */
    public static MethodKey readFrom(io.netty.buffer.ByteBuf in) {
        String service = Codec.readString(in);
        String version = Codec.readString(in);
        String group = Codec.readString(in);
        String method = Codec.readString(in);
        String params = Codec.readString(in);
        if (service == null || method == null || params == null) {
            throw new ProtocolException("Request names no service, method or parameter types");
        }
        return new MethodKey(service, version == null ? "" : version, group == null ? "" : group, method, params);
    }
}
