package dev.courier.registry.raft.internal;

import dev.courier.registry.ServiceInstance;
import dev.courier.registry.ServiceKey;
import dev.courier.registry.ServiceSnapshot;
import dev.courier.registry.WatchEvent;
import dev.courier.registry.internal.Change;
import dev.courier.registry.internal.ChangeBatch;
import dev.courier.registry.internal.InstanceCodec;
import org.apache.ratis.protocol.Message;

import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Replies of the registry state machine. Every reply starts with a status byte (0 = ok, 1 = lease not
 * found); then:
 * <pre>
 * write     long value (lease id for GRANT, revision otherwise)
 * SNAPSHOT  long revision int count instance*
 * SERVICES  int count key*
 * CHANGES   bool reset long revision int count (byte type long revision instance)*
 * STATUS    long instanceCount long revision
 * QUEUE, QUEUE_CHANGES   long version int count (long token utf value)*
 * CHANGES_MULTI          int count (key, then a CHANGES reply without its status byte)*
 * </pre>
 * A reply that is truncated or holds a bad count or change type fails with {@link IOException}; no
 * list is sized from a count before its elements are read. Stateless.
 */
public final class RaftCodec {

    private RaftCodec() {}

    static Message encodeBatch(ChangeBatch batch) {
        return Command.of((byte) 0, out -> writeBatch(out, batch));
    }

    private static void writeBatch(java.io.DataOutputStream out, ChangeBatch batch) throws IOException {
        out.writeBoolean(batch.reset());
        out.writeLong(batch.revision());
        out.writeInt(batch.changes().size());
        for (Change c : batch.changes()) {
            out.writeByte(c.type().ordinal());
            out.writeLong(c.revision());
            InstanceCodec.write(out, c.instance());
        }
    }

    static Message encodeBatches(java.util.Map<ServiceKey, ChangeBatch> batches) {
        return Command.of((byte) 0, out -> {
            out.writeInt(batches.size());
            for (java.util.Map.Entry<ServiceKey, ChangeBatch> e : batches.entrySet()) {
                InstanceCodec.writeKey(out, e.getKey());
                writeBatch(out, e.getValue());
            }
        });
    }

    public static java.util.Map<ServiceKey, ChangeBatch> decodeBatches(Message reply) throws IOException {
        DataInputStream in = open(reply);
        in.readByte();
        int count = readCount(in);
        java.util.Map<ServiceKey, ChangeBatch> batches = new java.util.HashMap<>();
        for (int i = 0; i < count; i++) {
            ServiceKey key = InstanceCodec.readKey(in);
            batches.put(key, readBatch(in));
        }
        return batches;
    }

    /** Opens a reply, checking its status byte; returns the status. */
    public static DataInputStream open(Message reply) {
        return new DataInputStream(reply.getContent().newInput());
    }

    public static ChangeBatch decodeBatch(Message reply) throws IOException {
        DataInputStream in = open(reply);
        in.readByte();
        return readBatch(in);
    }

    private static ChangeBatch readBatch(DataInputStream in) throws IOException {
        boolean reset = in.readBoolean();
        long revision = in.readLong();
        int count = readCount(in);
        List<Change> changes = new ArrayList<>();
        WatchEvent.Type[] types = WatchEvent.Type.values();
        for (int i = 0; i < count; i++) {
            byte ordinal = in.readByte();
            if (ordinal < 0 || ordinal >= types.length) {
                throw new IOException("Corrupt reply: unknown change type " + ordinal);
            }
            WatchEvent.Type type = types[ordinal];
            long rev = in.readLong();
            changes.add(new Change(type, rev, InstanceCodec.read(in)));
        }
        return new ChangeBatch(revision, changes, reset);
    }

    public static ServiceSnapshot decodeSnapshot(ServiceKey key, Message reply) throws IOException {
        DataInputStream in = open(reply);
        in.readByte();
        long revision = in.readLong();
        int count = readCount(in);
        List<ServiceInstance> instances = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            instances.add(InstanceCodec.read(in));
        }
        return new ServiceSnapshot(key, revision, instances);
    }

    public static List<ServiceKey> decodeServices(Message reply) throws IOException {
        DataInputStream in = open(reply);
        in.readByte();
        int count = readCount(in);
        List<ServiceKey> keys = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            keys.add(InstanceCodec.readKey(in));
        }
        return keys;
    }

    static Message encodeQueue(dev.courier.registry.coordination.QueueView view) {
        return Command.of((byte) 0, out -> {
            out.writeLong(view.version());
            out.writeInt(view.entries().size());
            for (var e : view.entries()) {
                out.writeLong(e.token());
                out.writeUTF(e.value());
            }
        });
    }

    public static dev.courier.registry.coordination.QueueView decodeQueue(Message reply) throws IOException {
        DataInputStream in = open(reply);
        in.readByte();
        long version = in.readLong();
        int count = readCount(in);
        List<dev.courier.registry.coordination.QueueView.Entry> entries = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            entries.add(new dev.courier.registry.coordination.QueueView.Entry(in.readLong(), in.readUTF()));
        }
        return new dev.courier.registry.coordination.QueueView(version, entries);
    }

    /** A count of elements that follow; lists grow as elements are read, so only its sign is checked. */
    private static int readCount(DataInputStream in) throws IOException {
        int count = in.readInt();
        if (count < 0) {
            throw new IOException("Corrupt reply: negative count " + count);
        }
        return count;
    }
}
