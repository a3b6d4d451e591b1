package dev.courier.rpc.internal.protocol;

import io.netty.buffer.ByteBuf;

import java.util.HashMap;
import java.util.Map;

/** Encodes string attachments: varint n, then n pairs of (string key, string value). */
final class Attachments {

    private static final int MAX_ENTRIES = 1024;

    private Attachments() {
    }

    static void write(ByteBuf out, Map<String, String> attachments) {
        if (attachments == null || attachments.isEmpty()) {
            out.writeByte(0);
            return;
        }
        Codec.writeVarInt(out, attachments.size());
        for (Map.Entry<String, String> e : attachments.entrySet()) {
            Codec.writeString(out, e.getKey());
            Codec.writeString(out, e.getValue());
        }
    }

    static Map<String, String> read(ByteBuf in) {
        int n = Codec.readVarInt(in);
        if (n == 0) {
            return Map.of();
        }
        if (n < 0 || n > MAX_ENTRIES) {
            throw new ProtocolException("Attachment count " + n + " out of range");
        }
        Map<String, String> map = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            String key = Codec.readString(in);
            String value = Codec.readString(in);
            if (key == null) {
                throw new ProtocolException("Null attachment key");
            }
            map.put(key, value);
        }
        return map;
    }
}
