package dev.courier.mq.broker.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * A small file of the broker's own state (a segment's index, the recovery checkpoint, a subscription's spec,
 * the checkpoint of held messages), written whole and replaced atomically, and refused whole when any byte of
 * it is wrong:
 * <pre>
 *   magic   int32   identifies what the file holds
 *   length  int32   bytes of the body
 *   crc32c  int32   CRC32C of the body
 *   body    length bytes
 * </pre>
 * <b>Writing</b> goes to {@code <name>.tmp}, which is forced, closed and renamed over {@code <name>};
 * the directory is synced last, so after a power loss the file is the old one or the new one, and a
 * torn temporary file is never read (recovery deletes it). <b>Reading</b> checks the length against the
 * file's size and a bound before allocating anything. Stateless.
 */
public final class ChecksummedFile {

    static final String TMP_SUFFIX = ".tmp";
    private static final int HEADER = 12;

    /** The file exists but is not a whole, valid file of the kind expected. */
    public static final class CorruptException extends IOException {
        private static final long serialVersionUID = 1L;

        CorruptException(String message) {
            super(message);
        }
    }

    private ChecksummedFile() {}

    /** Replaces {@code file} with {@code body}, durably (see above). */
    public static void write(Storage storage, Path file, int magic, ByteBuffer body) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + TMP_SUFFIX);
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        CRC32C crc = new CRC32C();
        crc.update(body.duplicate());
        header.putInt(magic)
                .putInt(body.remaining())
                .putInt((int) crc.getValue())
                .flip();
        try (StorageFile f = storage.open(tmp, Storage.OpenMode.CREATE_OR_TRUNCATE)) {
            f.writeFully(header, 0);
            f.writeFully(body.duplicate(), HEADER);
            f.force(true);
        }
        storage.move(tmp, file);
        storage.syncDirectory(file.getParent());
    }

    /**
     * The body of {@code file}, or null if it does not exist.
     *
     * @throws CorruptException if it is torn, damaged, not of kind {@code magic} or longer than {@code maxBody}
     */
    public static ByteBuffer read(Storage storage, Path file, int magic, int maxBody) throws IOException {
        if (!storage.exists(file)) {
            return null;
        }
        try (StorageFile f = storage.open(file, Storage.OpenMode.EXISTING)) {
            long size = f.size();
            ByteBuffer header = ByteBuffer.allocate(HEADER);
            if (size < HEADER || f.readFully(header, 0) < HEADER) {
                throw new CorruptException(file + ": " + size + " bytes, shorter than a header");
            }
            header.flip();
            int m = header.getInt();
            int length = header.getInt();
            int expected = header.getInt();
            if (m != magic) {
                throw new CorruptException(file + ": not a file of this kind (magic " + Integer.toHexString(m) + ")");
            }
            if (length < 0 || length > maxBody || length != size - HEADER) {
                throw new CorruptException(file + ": body length " + length + " does not match its " + size
                        + " bytes (at most " + maxBody + ")");
            }
            ByteBuffer body = ByteBuffer.allocate(length);
            if (f.readFully(body, HEADER) < length) {
                throw new CorruptException(file + ": shorter than its length field");
            }
            body.flip();
            CRC32C crc = new CRC32C();
            crc.update(body.duplicate());
            if ((int) crc.getValue() != expected) {
                throw new CorruptException(file + ": bad CRC");
            }
            return body;
        }
    }

    /**
     * Checks that {@code count} items of {@code itemBytes} each can follow in {@code body}; the bound of every decoded
     * count.
     */
    static int count(ByteBuffer body, int itemBytes, String what) throws CorruptException {
        if (body.remaining() < Integer.BYTES) {
            throw new CorruptException("truncated before the count of " + what);
        }
        int count = body.getInt();
        if (count < 0 || (long) count * itemBytes > body.remaining()) {
            throw new CorruptException(
                    count + " " + what + " cannot fit in the " + body.remaining() + " bytes that follow");
        }
        return count;
    }
}
