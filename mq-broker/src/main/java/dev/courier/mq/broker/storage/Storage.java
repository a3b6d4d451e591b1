package dev.courier.mq.broker.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The broker's one seam to the file system: every file and directory entry that mq-broker reads or
 * writes (segments, cursor logs, directories; create, rename, delete) goes through a {@code Storage}.
 *
 * <p>The default, {@link #files()}, is the real file system. {@link SimulatedDisk} keeps everything not
 * yet forced in process memory, as a disk with a volatile write cache would, so that a crash of the
 * process is a power loss; it can also fill up and fail a force.
 *
 * <p><b>Durability contract</b> (what the broker relies on, and what {@link SimulatedDisk} enforces):
 * bytes written to a file are durable once {@link StorageFile#force} returns; a file's creation, a
 * rename and a delete are durable once {@link #syncDirectory} of the directory holding the entry
 * returns (a new directory: once its parent is synced). Until then a crash may undo them.
 *
 * <p>Implementations are thread-safe.
 */
public interface Storage {

    /** How {@link #open} treats a file that exists or not. */
    enum OpenMode {
        /** The file must not exist; it is created empty. */
        CREATE_NEW,
        /** The file must exist. */
        EXISTING,
        /** Created empty if missing, cut to empty if present. */
        CREATE_OR_TRUNCATE
    }

    /** The real file system through {@code FileChannel}. */
    static Storage files() {
        return FileStorage.INSTANCE;
    }

    /** Opens {@code file} for reading and writing. */
    StorageFile open(Path file, OpenMode mode) throws IOException;

    boolean exists(Path path);

    boolean isDirectory(Path path);

    /** The names of the entries (files and directories) directly in {@code dir}, sorted. */
    List<String> list(Path dir) throws IOException;

    /** Creates {@code dir} and its missing parents; their entries are durable once their parents are synced. */
    void createDirectories(Path dir) throws IOException;

    /** Renames {@code from} to {@code to} atomically, replacing {@code to} if it exists. */
    void move(Path from, Path to) throws IOException;

    /** Deletes a file if it exists. */
    void deleteIfExists(Path file) throws IOException;

    /**
     * Creates {@code dir} and its missing parents, and syncs the directory above each one created, so
     * that they are all durable when this returns.
     */
    default void createDirectoriesDurably(Path dir) throws IOException {
        for (Path d : createDirectoriesToSync(dir)) {
            syncDirectory(d);
        }
    }

    /**
     * Creates {@code dir} and its missing parents, and answers the directories that must be synced
     * (the one above each directory created, deepest last) before the new ones are durable.
     */
    default java.util.List<Path> createDirectoriesToSync(Path dir) throws IOException {
        Path top = dir.toAbsolutePath();
        while (top.getParent() != null && !isDirectory(top.getParent())) {
            top = top.getParent();
        }
        if (isDirectory(top)) {
            return java.util.List.of();
        }
        createDirectories(dir);
        java.util.ArrayList<Path> toSync = new java.util.ArrayList<>();
        for (Path d = dir.toAbsolutePath(); d != null && d.startsWith(top); d = d.getParent()) {
            if (d.getParent() != null) {
                toSync.add(0, d.getParent());
            }
        }
        return toSync;
    }

    /** Makes the entries of {@code dir} (creations, renames and deletes in it) durable. */
    void syncDirectory(Path dir) throws IOException;

    /** When {@code file} was last written, epoch milliseconds. */
    long lastModified(Path file) throws IOException;
}
