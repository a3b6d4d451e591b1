package dev.courier.mq.broker.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a restart of a topic log may take as known instead of reading it again: the <b>recovery
 * point</b> (the base offset of a segment; every segment below it was sealed, forced and had its index
 * stored before this was written), the producer table as it stood at that offset, and the offsets
 * found missing below it. Kept in {@value #FILE} in the log's directory, a {@link ChecksummedFile}:
 * <pre>
 *   recovery point   int64
 *   missing ranges   int32 count, then count x (from int64, to int64)
 *   producer table   {@link ProducerTable#snapshot}
 * </pre>
 * Written by the log's checkpoint after each roll (on the broker's housekeeping pass) and on close;
 * {@link LogLoader} restores the segments below the recovery point from their index files and scans
 * only the segments from it on. An instance is immutable.
 *
 * @param recoveryPoint the first offset of the records a restart must scan
 * @param missing       offset ranges {@code [from, to)} below the recovery point that no record holds
 * @param producers     the producer table's snapshot as of the recovery point (read-only)
 */
record RecoveryCheckpoint(long recoveryPoint, List<long[]> missing, ByteBuffer producers) {

    static final String FILE = "recovery-checkpoint";
    private static final int MAGIC = 0x43524350; // "CRCP"
    /** The largest checkpoint read: room for the producer table at its bound, and then some. */
    private static final int MAX_BODY = 64 << 20;

    static Path fileIn(Path dir) {
        return dir.resolve(FILE);
    }

    /** Writes this checkpoint in place of the one in {@code dir}, durably. */
    void write(Storage storage, Path dir) throws IOException {
        ChecksummedFile.write(storage, fileIn(dir), MAGIC, encode());
    }

    /**
     * The checkpoint in {@code dir}, or null if there is none.
     *
     * @throws ChecksummedFile.CorruptException if it is damaged (the caller then recovers from the whole log)
     */
    static RecoveryCheckpoint read(Storage storage, Path dir) throws IOException {
        ByteBuffer body = ChecksummedFile.read(storage, fileIn(dir), MAGIC, MAX_BODY);
        return body == null ? null : decode(body, fileIn(dir));
    }

    /**
     * The checkpoint in {@code body} (the file's checked body); {@code where} names it in errors.
     *
     * @throws ChecksummedFile.CorruptException if it is not one; nothing is allocated on a count before
     *     it is checked against the bytes that follow
     */
    static RecoveryCheckpoint decode(ByteBuffer body, Object where) throws ChecksummedFile.CorruptException {
        try {
            long point = body.getLong();
            int n = ChecksummedFile.count(body, 2 * Long.BYTES, "missing ranges");
            List<long[]> missing = new ArrayList<>(n);
            long last = Long.MIN_VALUE;
            for (int i = 0; i < n; i++) {
                long from = body.getLong();
                long to = body.getLong();
                if (from >= to || to > point || from < last) {
                    throw new ChecksummedFile.CorruptException(where + ": missing range " + from + ".." + to
                            + " is out of order or not below the recovery point " + point);
                }
                missing.add(new long[] {from, to});
                last = to;
            }
            return new RecoveryCheckpoint(
                    point, List.copyOf(missing), body.slice().asReadOnlyBuffer());
        } catch (java.nio.BufferUnderflowException e) {
            throw new ChecksummedFile.CorruptException(where + ": truncated");
        }
    }

    /** The body {@link #decode} reads. */
    ByteBuffer encode() {
        ByteBuffer body = ByteBuffer.allocate(
                Long.BYTES + Integer.BYTES + missing.size() * 2 * Long.BYTES + producers.remaining());
        body.putLong(recoveryPoint).putInt(missing.size());
        for (long[] m : missing) {
            body.putLong(m[0]).putLong(m[1]);
        }
        return body.put(producers.duplicate()).flip();
    }
}
