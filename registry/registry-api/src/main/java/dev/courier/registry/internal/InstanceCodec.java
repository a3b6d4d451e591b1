package dev.courier.registry.internal;

import dev.courier.registry.ServiceInstance;
import dev.courier.registry.ServiceKey;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Binary form of keys and instances, used in Raft log entries, snapshots and cache files.
 *
 * <pre>
 * key      := utf(interface) utf(version) utf(group)
 * instance := key utf(host) int(port) int(weight) int(tagCount) utf(tag)* int(metaCount) (utf(k) utf(v))*
 * </pre>
 * {@code utf} is {@link DataOutput#writeUTF}. Reading bytes that are not a valid key or instance
 * (truncated, or values the constructors refuse) throws {@link IOException}. Stateless.
 */
public final class InstanceCodec {

    private InstanceCodec() {}

    public static void writeKey(DataOutput out, ServiceKey key) throws IOException {
        out.writeUTF(key.interfaceName());
        out.writeUTF(key.version());
        out.writeUTF(key.group());
    }

    public static ServiceKey readKey(DataInput in) throws IOException {
        String interfaceName = in.readUTF();
        String version = in.readUTF();
        String group = in.readUTF();
        try {
            return new ServiceKey(interfaceName, version, group);
        } catch (IllegalArgumentException e) {
            throw new IOException("Corrupt service key: " + e.getMessage(), e);
        }
    }

    public static void write(DataOutput out, ServiceInstance instance) throws IOException {
        writeKey(out, instance.key());
        out.writeUTF(instance.host());
        out.writeInt(instance.port());
        out.writeInt(instance.weight());
        out.writeInt(instance.tags().size());
        for (String tag : instance.tags()) {
            out.writeUTF(tag);
        }
        out.writeInt(instance.metadata().size());
        for (Map.Entry<String, String> e : instance.metadata().entrySet()) {
            out.writeUTF(e.getKey());
            out.writeUTF(e.getValue());
        }
    }

    public static ServiceInstance read(DataInput in) throws IOException {
        ServiceKey key = readKey(in);
        String host = in.readUTF();
        int port = in.readInt();
        int weight = in.readInt();
        int tagCount = in.readInt();
        Set<String> tags = new HashSet<>();
        for (int i = 0; i < tagCount; i++) {
            tags.add(in.readUTF());
        }
        int metaCount = in.readInt();
        Map<String, String> meta = new LinkedHashMap<>();
        for (int i = 0; i < metaCount; i++) {
            meta.put(in.readUTF(), in.readUTF());
        }
        try {
            return new ServiceInstance(key, host, port, weight, tags, meta);
        } catch (IllegalArgumentException e) {
            throw new IOException("Corrupt service instance: " + e.getMessage(), e);
        }
    }

    /** Encodes one instance to bytes. */
    public static byte[] toBytes(ServiceInstance instance) {
        try {
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(128);
            write(new java.io.DataOutputStream(bytes), instance);
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Decodes {@link #toBytes}. */
    public static ServiceInstance fromBytes(byte[] data) {
        try {
            return read(new java.io.DataInputStream(new java.io.ByteArrayInputStream(data)));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
