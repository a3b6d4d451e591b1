package dev.courier.registry.raft.internal;

import dev.courier.registry.ServiceInstance;
import dev.courier.registry.ServiceKey;
import dev.courier.registry.internal.InstanceCodec;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Encodes the registry's Raft log entries and queries. Every message starts with a one-byte opcode:
 * <pre>
 * writes (log entries)                      queries (read-only)
 *   GRANT     long ttlMillis                  SNAPSHOT  key
 *   KEEPALIVE long leaseId                    SERVICES
 *   PUT       long leaseId instance           CHANGES   key long afterRevision long maxWaitMillis
 *   DELETE    long leaseId key utf(id)        STATUS
 *   REVOKE    long leaseId
 *   EXPIRE    long leaseId long renewedAt long term   (leader only)
 *   ENQUEUE   long leaseId utf(queue) utf(value)      QUEUE          utf(queue)
 *   DEQUEUE   utf(queue) long token                   QUEUE_CHANGES  utf(queue) long version long maxWaitMillis
 *   ADD       utf(counter) long delta                 CHANGES_MULTI  int count (key long afterRevision)*
 *                                                                    long maxWaitMillis
 *   CHECKPOINT long term int count (long leaseId long renewedAt long silentMillis)*   (leader only)
 * </pre>
 * {@code key} and {@code instance} are in {@link InstanceCodec} form. An {@code EXPIRE} carries what its
 * decision saw: the lease's renewal mark (the log index of the entry that last renewed it) and the
 * leader's term; it removes the lease only if both still hold when it is applied. (An {@code EXPIRE}
 * with the lease id alone, as written before, is applied unfenced.) A {@code CHECKPOINT} records, for
 * leases the leader has not seen renewed for a while, how long that has been, so that a member that
 * replays the log after a restart does not take them for just renewed.
 *
 * <p>A call with credentials is wrapped: {@code AUTH u16 length, token (UTF-8, at most 4 KiB)} followed
 * by the message itself. The
 * leader takes the wrapper off before a write enters the log, so no token is ever stored. Stateless.
 */
public final class Command {

    public static final byte GRANT = 1;
    public static final byte KEEPALIVE = 2;
    public static final byte PUT = 3;
    public static final byte DELETE = 4;
    public static final byte REVOKE = 5;
    public static final byte EXPIRE = 6;
    public static final byte ENQUEUE = 7;
    public static final byte DEQUEUE = 8;
    public static final byte ADD = 9;
    public static final byte CHECKPOINT = 10;
    /** Bytes one lease of a {@code CHECKPOINT} takes. */
    static final int CHECKPOINT_LEASE_BYTES = 3 * Long.BYTES;

    public static final byte SNAPSHOT = 20;
    public static final byte SERVICES = 21;
    public static final byte CHANGES = 22;
    public static final byte STATUS = 23;
    public static final byte QUEUE = 24;
    public static final byte QUEUE_CHANGES = 25;
    public static final byte CHANGES_MULTI = 26;
    /** Fewest bytes one (key, revision) pair of {@code CHANGES_MULTI} takes: three empty strings and a long. */
    static final int MIN_WATCHED_KEY_BYTES = 3 * 2 + Long.BYTES;

    public static final byte AUTH = 30;
    static final int MAX_TOKEN_BYTES = 4096;
    /** Starts the message of an exception by which a member refuses a call for its credentials. */
    public static final String DENIED = "courier-registry-access-denied: ";

    private Command() {}

    /** Builds a message with {@code body} writing after the opcode. */
    public static Message of(byte opcode, IoWriter body) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(opcode);
            body.write(out);
            return Message.valueOf(ByteString.copyFrom(bytes.toByteArray()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Message grant(long ttlMillis) {
        return of(GRANT, out -> out.writeLong(ttlMillis));
    }

    public static Message keepAlive(long leaseId) {
        return of(KEEPALIVE, out -> out.writeLong(leaseId));
    }

    public static Message put(long leaseId, ServiceInstance instance) {
        return of(PUT, out -> {
            out.writeLong(leaseId);
            InstanceCodec.write(out, instance);
        });
    }

    public static Message delete(long leaseId, ServiceKey key, String id) {
        return of(DELETE, out -> {
            out.writeLong(leaseId);
            InstanceCodec.writeKey(out, key);
            out.writeUTF(id);
        });
    }

    public static Message revoke(long leaseId) {
        return of(REVOKE, out -> out.writeLong(leaseId));
    }

    /**
     * Expires lease {@code leaseId} if it was last renewed by log index {@code renewedAt} and the entry
     * is appended in {@code term}, the term of the leader that decided it.
     */
    public static Message expire(long leaseId, long renewedAt, long term) {
        return of(EXPIRE, out -> {
            out.writeLong(leaseId);
            out.writeLong(renewedAt);
            out.writeLong(term);
        });
    }

    /**
     * Records, as decided by the leader of {@code term}, that each lease {@code leases[i] = {id,
     * renewedAt, silentMillis}} had not been renewed since mark {@code renewedAt} for {@code silentMillis}.
     */
    public static Message checkpoint(long term, List<long[]> leases) {
        return of(CHECKPOINT, out -> {
            out.writeLong(term);
            out.writeInt(leases.size());
            for (long[] lease : leases) {
                out.writeLong(lease[0]);
                out.writeLong(lease[1]);
                out.writeLong(lease[2]);
            }
        });
    }

    public static Message enqueue(long leaseId, String queue, String value) {
        return of(ENQUEUE, out -> {
            out.writeLong(leaseId);
            out.writeUTF(queue);
            out.writeUTF(value);
        });
    }

    public static Message dequeue(String queue, long token) {
        return of(DEQUEUE, out -> {
            out.writeUTF(queue);
            out.writeLong(token);
        });
    }

    public static Message add(String counter, long delta) {
        return of(ADD, out -> {
            out.writeUTF(counter);
            out.writeLong(delta);
        });
    }

    public static Message queue(String queue) {
        return of(QUEUE, out -> out.writeUTF(queue));
    }

    public static Message queueChanges(String queue, long version, long maxWaitMillis) {
        return of(QUEUE_CHANGES, out -> {
            out.writeUTF(queue);
            out.writeLong(version);
            out.writeLong(maxWaitMillis);
        });
    }

    public static Message snapshot(ServiceKey key) {
        return of(SNAPSHOT, out -> InstanceCodec.writeKey(out, key));
    }

    public static Message services() {
        return of(SERVICES, out -> {});
    }

    public static Message changes(ServiceKey key, long after, long maxWaitMillis) {
        return of(CHANGES, out -> {
            InstanceCodec.writeKey(out, key);
            out.writeLong(after);
            out.writeLong(maxWaitMillis);
        });
    }

    public static Message changes(java.util.Map<ServiceKey, Long> afters, long maxWaitMillis) {
        return of(CHANGES_MULTI, out -> {
            out.writeInt(afters.size());
            for (java.util.Map.Entry<ServiceKey, Long> e : afters.entrySet()) {
                InstanceCodec.writeKey(out, e.getKey());
                out.writeLong(e.getValue());
            }
            out.writeLong(maxWaitMillis);
        });
    }

    public static Message status() {
        return of(STATUS, out -> {});
    }

    /** {@code message} wrapped with the caller's {@code token}. */
    public static Message authenticated(String token, Message message) {
        byte[] t = token.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (t.length > MAX_TOKEN_BYTES) {
            throw new IllegalArgumentException("A registry token has at most " + MAX_TOKEN_BYTES + " bytes");
        }
        return of(AUTH, out -> {
            out.writeShort(t.length);
            out.write(t);
            out.write(message.getContent().toByteArray());
        });
    }

    /** A message with its credentials taken off: the token (null when there was none) and the message itself. */
    public record Envelope(String token, ByteString body) {

        /** Opens {@code content}, wrapped or not. */
        public static Envelope open(ByteString content) throws IOException {
            if (content.isEmpty() || content.byteAt(0) != AUTH) {
                return new Envelope(null, content);
            }
            if (content.size() < 3) {
                throw new IOException("Truncated credentials");
            }
            int length = ((content.byteAt(1) & 0xFF) << 8) | (content.byteAt(2) & 0xFF);
            if (length > MAX_TOKEN_BYTES || length > content.size() - 3) {
                throw new IOException("Token length " + length + " out of range for the " + (content.size() - 3)
                        + " bytes that follow");
            }
            return new Envelope(content.substring(3, 3 + length).toStringUtf8(), content.substring(3 + length));
        }

        /** The opcode of the message itself, or -1 when it is empty. */
        public byte opcode() {
            return body.isEmpty() ? -1 : body.byteAt(0);
        }
    }

    /** Writes a message body. */
    @FunctionalInterface
    public interface IoWriter {
        void write(DataOutputStream out) throws IOException;
    }
}
