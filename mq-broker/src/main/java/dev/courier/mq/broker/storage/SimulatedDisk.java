package dev.courier.mq.broker.storage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A {@link Storage} that simulates a disk with a volatile write cache, as LazyFS does: a testing mode.
 * Whatever was not made durable under the {@link Storage} contract lives only in this process's memory
 * — bytes not yet {@linkplain StorageFile#force forced}, and creations, renames and deletes of entries
 * whose directory was not yet {@linkplain #syncDirectory synced}. So when the process dies (SIGKILL, or
 * {@link #crash} in a test) all of that is gone, exactly as after a power loss, and
 * {@link #open reopening} the directory shows what a disk would have kept.
 *
 * <p><b>Faults.</b> {@link #crash} can also keep a torn prefix of the unsynced writes, or apply unsynced
 * pages partially and out of order. {@link #quota} makes the disk full: a write that would make the
 * files hold more bytes in all fails with {@code IOException("No space left on device")}, as ENOSPC does.
 * {@link #failForces} makes forces (and directory syncs) of chosen paths fail with an I/O error.
 * When one file's unsynced bytes exceed the write-back limit, its oldest writes are written back, as an
 * operating system's page cache does.
 *
 * <p><b>Layout.</b> The real directory holds only {@code .simdisk/}: {@code inodes/<n>} with the durable
 * bytes of each file, and {@code namespace}, the durable directory tree (lines {@code D path} and
 * {@code F inode path}), replaced atomically on every directory sync. A real directory written by the
 * real file system cannot be opened as a simulated one.
 *
 * <p>This class is thread-safe (one lock for everything; it is a testing mode, not a fast path). It
 * owns its files and, if it watches a quota file, one thread; {@link #close} releases them.
 */
public final class SimulatedDisk implements Storage, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SimulatedDisk.class);
    static final String META = ".simdisk";
    /** The message of a write refused because the disk is full, as the operating system words ENOSPC. */
    public static final String NO_SPACE = "No space left on device";

    private static final int PAGE = 4096;

    /** What a {@link #crash} keeps of the writes that were not forced. */
    public enum CrashMode {
        /** Nothing. */
        LOSE_UNSYNCED,
        /** For each file, its unsynced writes in order up to a random byte, the last one cut there. */
        TORN_PREFIX,
        /** For each file, a random half of the unsynced 4 KiB pages, in random order. */
        REORDERED_PAGES
    }

    private final Path root;
    private final Path inodesDir;
    private final Path namespaceFile;
    private final long writebackBytes;
    private final Object lock = new Object();
    private final Map<String, Inode> liveFiles = new HashMap<>();
    private final Set<String> liveDirs = new HashSet<>();
    private final Map<String, Long> durableFiles = new HashMap<>();
    private final Set<String> durableDirs = new HashSet<>();
    private final Map<Long, Inode> inodes = new HashMap<>();
    private long nextInode;
    private long usedBytes;
    private volatile long quota = -1;
    private Predicate<Path> failingForces = p -> false;
    private ScheduledExecutorService quotaWatcher;
    private boolean crashed;
    private boolean closed;

    private sealed interface Op permits Write, Truncate {}

    private record Write(long position, byte[] bytes) implements Op {}

    private record Truncate(long size) implements Op {}

    private final class Inode {
        final long id;
        final FileChannel real;
        final List<Op> pending = new ArrayList<>();
        long pendingBytes;
        long liveSize;
        long lastModified = System.currentTimeMillis();
        int handles;

        Inode(long id, FileChannel real, long size) {
            this.id = id;
            this.real = real;
            this.liveSize = size;
        }

        void applyPending(int count) throws IOException {
            Iterator<Op> it = pending.iterator();
            for (int i = 0; i < count && it.hasNext(); i++) {
                apply(it.next());
                it.remove();
            }
        }

        void apply(Op op) throws IOException {
            if (op instanceof Write w) {
                ByteBuffer b = ByteBuffer.wrap(w.bytes());
                long p = w.position();
                while (b.hasRemaining()) {
                    p += real.write(b, p);
                }
                pendingBytes -= w.bytes().length;
            } else if (op instanceof Truncate t) {
                real.truncate(t.size());
            }
        }
    }

    private SimulatedDisk(Path root, long writebackBytes) {
        this.root = root.toAbsolutePath().normalize();
        this.inodesDir = this.root.resolve(META).resolve("inodes");
        this.namespaceFile = this.root.resolve(META).resolve("namespace");
        this.writebackBytes = writebackBytes;
    }

    /** Opens (or starts) a simulated disk in {@code root}, holding what survived its last crash. */
    public static SimulatedDisk open(Path root) throws IOException {
        return open(root, 64L << 20);
    }

    /**
     * As {@link #open(Path)}, writing back a file's oldest unsynced writes once it has more than
     * {@code writebackBytes} of them.
     */
    public static SimulatedDisk open(Path root, long writebackBytes) throws IOException {
        SimulatedDisk d = new SimulatedDisk(root, writebackBytes);
        d.load();
        return d;
    }

    private void load() throws IOException {
        Files.createDirectories(root);
        try (Stream<Path> s = Files.list(root)) {
            List<String> foreign = s.map(p -> p.getFileName().toString())
                    .filter(n -> !n.equals(META))
                    .toList();
            if (!foreign.isEmpty()) {
                throw new IOException(root + " holds files of the real file system " + foreign
                        + "; a simulated disk needs an empty directory or one it wrote itself");
            }
        }
        Files.createDirectories(inodesDir);
        Files.deleteIfExists(namespaceFile.resolveSibling("namespace.tmp"));
        Map<String, Long> files = new HashMap<>();
        Set<String> dirs = new HashSet<>();
        if (Files.exists(namespaceFile)) {
            for (String line : Files.readAllLines(namespaceFile, StandardCharsets.UTF_8)) {
                if (line.startsWith("D ")) {
                    dirs.add(line.substring(2));
                } else if (line.startsWith("F ")) {
                    int sp = line.indexOf(' ', 2);
                    files.put(line.substring(sp + 1), Long.parseLong(line.substring(2, sp)));
                }
            }
        }
        // An entry survives only if every directory above it does.
        for (String dir : new TreeSet<>(dirs)) {
            if (reachable(parentOf(dir), dirs)) {
                durableDirs.add(dir);
            }
        }
        Set<Long> referenced = new HashSet<>();
        for (Map.Entry<String, Long> e : files.entrySet()) {
            Path real = inodesDir.resolve(Long.toString(e.getValue()));
            if (reachable(parentOf(e.getKey()), durableDirs) && Files.exists(real)) {
                durableFiles.put(e.getKey(), e.getValue());
                referenced.add(e.getValue());
            }
        }
        long maxId = -1;
        try (Stream<Path> s = Files.list(inodesDir)) {
            for (Path p : s.toList()) {
                long id = Long.parseLong(p.getFileName().toString());
                maxId = Math.max(maxId, id);
                if (!referenced.contains(id)) {
                    Files.delete(p);
                }
            }
        }
        nextInode = maxId + 1;
        liveDirs.addAll(durableDirs);
        for (Map.Entry<String, Long> e : durableFiles.entrySet()) {
            Path real = inodesDir.resolve(Long.toString(e.getValue()));
            Inode inode = inodes.get(e.getValue());
            if (inode == null) {
                FileChannel ch = FileChannel.open(real, StandardOpenOption.READ, StandardOpenOption.WRITE);
                inode = new Inode(e.getValue(), ch, ch.size());
                inode.lastModified = Files.getLastModifiedTime(real).toMillis();
                inodes.put(inode.id, inode);
                usedBytes += inode.liveSize;
            }
            liveFiles.put(e.getKey(), inode);
        }
    }

    private static boolean reachable(String dir, Set<String> dirs) {
        for (String d = dir; !d.isEmpty(); d = parentOf(d)) {
            if (!dirs.contains(d)) {
                return false;
            }
        }
        return true;
    }

    private static String parentOf(String rel) {
        int slash = rel.lastIndexOf('/');
        return slash < 0 ? "" : rel.substring(0, slash);
    }

    private String rel(Path path) throws IOException {
        Path p = path.toAbsolutePath().normalize();
        if (!p.startsWith(root)) {
            throw new IOException(path + " is outside the simulated disk " + root);
        }
        String r = root.relativize(p).toString().replace('\\', '/');
        if (r.equals(META) || r.startsWith(META + "/")) {
            throw new IOException(path + " is the simulated disk's own");
        }
        return r;
    }

    private void checkUsable() throws IOException {
        if (crashed) {
            throw new IOException("Input/output error (the simulated disk crashed)");
        }
        if (closed) {
            throw new ClosedChannelException();
        }
    }

    private boolean isLiveDir(String rel) {
        return rel.isEmpty() || liveDirs.contains(rel);
    }

    /**
     * Makes the disk hold at most {@code bytes} in all its files; -1 for no limit. Writes that would
     * grow past it fail as a full disk does; what is already written stays.
     */
    public void quota(long bytes) {
        quota = bytes;
    }

    /** The bytes all files hold (as the process sees them, synced or not). */
    public long usedBytes() {
        synchronized (lock) {
            return usedBytes;
        }
    }

    /**
     * Re-reads {@code file} about every {@code period}: when it exists it holds the {@linkplain #quota
     * quota} in decimal bytes; when it is missing there is no limit. For a daemon run by a fault harness.
     */
    public void watchQuotaFile(Path file, long periodMillis) {
        synchronized (lock) {
            if (quotaWatcher != null) {
                throw new IllegalStateException("already watching a quota file");
            }
            quotaWatcher = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "courier-simdisk-quota");
                t.setDaemon(true);
                return t;
            });
        }
        quotaWatcher.scheduleWithFixedDelay(
                () -> {
                    long q = -1;
                    try {
                        String text = Files.readString(file).trim();
                        q = text.isEmpty() ? -1 : Long.parseLong(text);
                    } catch (NoSuchFileException e) {
                        q = -1;
                    } catch (IOException | NumberFormatException e) {
                        log.warn("Simulated disk: cannot read quota file {}; keeping quota {}", file, quota, e);
                        return;
                    }
                    if (q != quota) {
                        log.warn(
                                "Simulated disk: quota {} -> {}",
                                quota < 0 ? "none" : quota + " bytes",
                                q < 0 ? "none" : q + " bytes");
                        quota = q;
                    }
                },
                0,
                periodMillis,
                TimeUnit.MILLISECONDS);
    }

    /** From now on, forces of files (and syncs of directories) whose path matches fail with an I/O error. */
    public void failForces(Predicate<Path> which) {
        synchronized (lock) {
            failingForces = which;
        }
    }

    /**
     * Simulates a power loss: forgets what was not durable (keeping some of it as {@code mode} says,
     * chosen by {@code random}) and refuses every later call. Reopen the directory with {@link #open}.
     */
    public void crash(CrashMode mode, Random random) {
        synchronized (lock) {
            if (crashed || closed) {
                return;
            }
            crashed = true;
            for (Inode inode : inodes.values()) {
                try {
                    keepSome(inode, mode, random);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            releaseAll();
        }
    }

    private void keepSome(Inode inode, CrashMode mode, Random random) throws IOException {
        if (inode.pending.isEmpty() || mode == CrashMode.LOSE_UNSYNCED) {
            return;
        }
        if (mode == CrashMode.TORN_PREFIX) {
            long total = 0;
            for (Op op : inode.pending) {
                total += op instanceof Write w ? w.bytes().length : 0;
            }
            long keep = total == 0 ? 0 : (long) (random.nextDouble() * total);
            for (Op op : inode.pending) {
                if (op instanceof Write w) {
                    if (keep <= 0) {
                        break;
                    }
                    int n = (int) Math.min(keep, w.bytes().length);
                    inode.apply(new Write(w.position(), java.util.Arrays.copyOf(w.bytes(), n)));
                    keep -= n;
                } else {
                    inode.apply(op);
                }
            }
            return;
        }
        List<Write> pages = new ArrayList<>();
        for (Op op : inode.pending) {
            if (op instanceof Write w) {
                for (int from = 0; from < w.bytes().length; from += PAGE) {
                    int to = Math.min(w.bytes().length, from + PAGE);
                    pages.add(new Write(w.position() + from, java.util.Arrays.copyOfRange(w.bytes(), from, to)));
                }
            } else if (random.nextBoolean()) {
                inode.apply(op);
            }
        }
        java.util.Collections.shuffle(pages, random);
        for (int i = 0; i < pages.size() / 2; i++) {
            inode.apply(pages.get(i));
        }
    }

    private void releaseAll() {
        for (Inode inode : inodes.values()) {
            try {
                inode.real.close();
            } catch (IOException e) {
                log.warn("Simulated disk: closing inode {} failed", inode.id, e);
            }
        }
        if (quotaWatcher != null) {
            quotaWatcher.shutdownNow();
        }
    }

    /**
     * Closes the disk as a clean shutdown of its machine would: unsynced bytes are written back (but
     * entries of unsynced directories are not; they are still lost). Idempotent.
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed || crashed) {
                closed = true;
                return;
            }
            closed = true;
            for (Inode inode : inodes.values()) {
                try {
                    inode.applyPending(inode.pending.size());
                } catch (IOException e) {
                    log.warn("Simulated disk: writing back inode {} failed", inode.id, e);
                }
            }
            releaseAll();
        }
    }

    @Override
    public StorageFile open(Path file, OpenMode mode) throws IOException {
        synchronized (lock) {
            checkUsable();
            String rel = rel(file);
            if (!isLiveDir(parentOf(rel))) {
                throw new NoSuchFileException(file.getParent().toString());
            }
            if (liveDirs.contains(rel)) {
                throw new FileAlreadyExistsException(file + " is a directory");
            }
            Inode inode = liveFiles.get(rel);
            switch (mode) {
                case CREATE_NEW -> {
                    if (inode != null) {
                        throw new FileAlreadyExistsException(file.toString());
                    }
                    inode = newInode(rel);
                }
                case EXISTING -> {
                    if (inode == null) {
                        throw new NoSuchFileException(file.toString());
                    }
                }
                case CREATE_OR_TRUNCATE -> {
                    if (inode == null) {
                        inode = newInode(rel);
                    } else {
                        truncate(inode, 0);
                    }
                }
                default -> throw new IllegalArgumentException(mode.toString());
            }
            inode.handles++;
            return new Handle(inode);
        }
    }

    private Inode newInode(String rel) throws IOException {
        long id = nextInode++;
        FileChannel ch = FileChannel.open(
                inodesDir.resolve(Long.toString(id)),
                StandardOpenOption.CREATE_NEW,
                StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        Inode inode = new Inode(id, ch, 0);
        inodes.put(id, inode);
        liveFiles.put(rel, inode);
        return inode;
    }

    @Override
    public boolean exists(Path path) {
        synchronized (lock) {
            try {
                String rel = rel(path);
                return isLiveDir(rel) || liveFiles.containsKey(rel);
            } catch (IOException e) {
                return false;
            }
        }
    }

    @Override
    public boolean isDirectory(Path path) {
        synchronized (lock) {
            try {
                return isLiveDir(rel(path));
            } catch (IOException e) {
                return false;
            }
        }
    }

    @Override
    public List<String> list(Path dir) throws IOException {
        synchronized (lock) {
            checkUsable();
            String rel = rel(dir);
            if (!isLiveDir(rel)) {
                throw new NoSuchFileException(dir.toString());
            }
            TreeSet<String> names = new TreeSet<>();
            for (String f : liveFiles.keySet()) {
                if (parentOf(f).equals(rel)) {
                    names.add(nameOf(f));
                }
            }
            for (String d : liveDirs) {
                if (parentOf(d).equals(rel)) {
                    names.add(nameOf(d));
                }
            }
            return List.copyOf(names);
        }
    }

    private static String nameOf(String rel) {
        return rel.substring(rel.lastIndexOf('/') + 1);
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
        synchronized (lock) {
            checkUsable();
            String rel = rel(dir);
            List<String> chain = new ArrayList<>();
            for (String d = rel; !d.isEmpty(); d = parentOf(d)) {
                chain.add(d);
            }
            for (String d : chain) {
                if (liveFiles.containsKey(d)) {
                    throw new FileAlreadyExistsException(root.resolve(d) + " is a file");
                }
            }
            liveDirs.addAll(chain);
        }
    }

    @Override
    public void move(Path from, Path to) throws IOException {
        synchronized (lock) {
            checkUsable();
            String f = rel(from);
            String t = rel(to);
            if (!isLiveDir(parentOf(t))) {
                throw new NoSuchFileException(to.getParent().toString());
            }
            Inode inode = liveFiles.remove(f);
            if (inode == null) {
                throw new NoSuchFileException(from.toString());
            }
            Inode replaced = liveFiles.put(t, inode);
            if (replaced != null && replaced != inode) {
                collect(replaced);
            }
        }
    }

    @Override
    public void deleteIfExists(Path file) throws IOException {
        synchronized (lock) {
            checkUsable();
            Inode inode = liveFiles.remove(rel(file));
            if (inode != null) {
                collect(inode);
            }
        }
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        synchronized (lock) {
            checkUsable();
            String rel = rel(dir);
            if (!isLiveDir(rel)) {
                throw new NoSuchFileException(dir.toString());
            }
            if (failingForces.test(dir)) {
                throw new IOException("Input/output error (simulated failure syncing " + dir + ")");
            }
            durableFiles.keySet().removeIf(f -> parentOf(f).equals(rel));
            durableDirs.removeIf(d -> parentOf(d).equals(rel));
            liveFiles.forEach((f, inode) -> {
                if (parentOf(f).equals(rel)) {
                    durableFiles.put(f, inode.id);
                }
            });
            for (String d : liveDirs) {
                if (parentOf(d).equals(rel)) {
                    durableDirs.add(d);
                }
            }
            writeNamespace();
            for (Inode inode : new ArrayList<>(inodes.values())) {
                collect(inode);
            }
        }
    }

    private void writeNamespace() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String d : new TreeSet<>(durableDirs)) {
            sb.append("D ").append(d).append('\n');
        }
        for (Map.Entry<String, Long> e : durableFiles.entrySet()) {
            sb.append("F ").append(e.getValue()).append(' ').append(e.getKey()).append('\n');
        }
        Path tmp = namespaceFile.resolveSibling("namespace.tmp");
        Files.writeString(tmp, sb, StandardCharsets.UTF_8);
        Files.move(tmp, namespaceFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Drops an inode no name, durable or live, and no open handle refers to any more. */
    private void collect(Inode inode) throws IOException {
        if (inode.handles > 0 || liveFiles.containsValue(inode) || durableFiles.containsValue(inode.id)) {
            return;
        }
        inodes.remove(inode.id);
        usedBytes -= inode.liveSize;
        inode.real.close();
        Files.deleteIfExists(inodesDir.resolve(Long.toString(inode.id)));
    }

    @Override
    public long lastModified(Path file) throws IOException {
        synchronized (lock) {
            checkUsable();
            Inode inode = liveFiles.get(rel(file));
            if (inode == null) {
                throw new NoSuchFileException(file.toString());
            }
            return inode.lastModified;
        }
    }

    private void truncate(Inode inode, long size) {
        if (size < inode.liveSize) {
            inode.pending.add(new Truncate(size));
            usedBytes -= inode.liveSize - size;
            inode.liveSize = size;
            inode.lastModified = System.currentTimeMillis();
        }
    }

    private Path pathOf(Inode inode) {
        for (Map.Entry<String, Inode> e : liveFiles.entrySet()) {
            if (e.getValue() == inode) {
                return root.resolve(e.getKey());
            }
        }
        return inodesDir.resolve(Long.toString(inode.id));
    }

    private final class Handle implements StorageFile {
        private final Inode inode;
        private boolean open = true;

        Handle(Inode inode) {
            this.inode = inode;
        }

        private void check() throws IOException {
            checkUsable();
            if (!open) {
                throw new ClosedChannelException();
            }
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            synchronized (lock) {
                check();
                int n = src.remaining();
                long end = Math.max(inode.liveSize, position + n);
                long growth = end - inode.liveSize;
                long q = quota;
                if (q >= 0 && growth > 0 && usedBytes + growth > q) {
                    throw new IOException(NO_SPACE);
                }
                byte[] bytes = new byte[n];
                src.get(bytes);
                inode.pending.add(new Write(position, bytes));
                inode.pendingBytes += n;
                inode.liveSize = end;
                usedBytes += growth;
                inode.lastModified = System.currentTimeMillis();
                if (inode.pendingBytes > writebackBytes) {
                    int ops = 0;
                    long bytesOut = 0;
                    for (Op op : inode.pending) {
                        ops++;
                        bytesOut += op instanceof Write w ? w.bytes().length : 0;
                        if (inode.pendingBytes - bytesOut <= writebackBytes / 2) {
                            break;
                        }
                    }
                    inode.applyPending(ops);
                }
                return n;
            }
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            synchronized (lock) {
                check();
                if (position >= inode.liveSize) {
                    return -1;
                }
                int n = (int) Math.min(dst.remaining(), inode.liveSize - position);
                long end = position + n;
                boolean touched = false;
                for (Op op : inode.pending) {
                    if (op instanceof Truncate t
                            ? t.size() < end
                            : ((Write) op).position() < end
                                    && ((Write) op).position() + ((Write) op).bytes().length > position) {
                        touched = true;
                        break;
                    }
                }
                if (!touched) {
                    ByteBuffer view = dst.slice(dst.position(), n);
                    int got = 0;
                    while (view.hasRemaining()) {
                        int r = inode.real.read(view, position + got);
                        if (r < 0) {
                            break;
                        }
                        got += r;
                    }
                    dst.position(dst.position() + n);
                    return n;
                }
                byte[] window = new byte[n];
                ByteBuffer w = ByteBuffer.wrap(window);
                long realSize = inode.real.size();
                while (w.hasRemaining() && position + w.position() < realSize) {
                    if (inode.real.read(w, position + w.position()) < 0) {
                        break;
                    }
                }
                long size = realSize;
                for (Op op : inode.pending) {
                    if (op instanceof Write wr) {
                        long from = Math.max(position, wr.position());
                        long to = Math.min(end, wr.position() + wr.bytes().length);
                        if (from < to) {
                            System.arraycopy(
                                    wr.bytes(), (int) (from - wr.position()), window, (int) (from - position), (int)
                                            (to - from));
                        }
                        size = Math.max(size, wr.position() + wr.bytes().length);
                    } else if (op instanceof Truncate t && t.size() < size) {
                        if (t.size() < end) {
                            java.util.Arrays.fill(window, (int) Math.max(0, t.size() - position), n, (byte) 0);
                        }
                        size = t.size();
                    }
                }
                dst.put(window, 0, n);
                return n;
            }
        }

        @Override
        public long size() throws IOException {
            synchronized (lock) {
                check();
                return inode.liveSize;
            }
        }

        @Override
        public void truncate(long size) throws IOException {
            synchronized (lock) {
                check();
                SimulatedDisk.this.truncate(inode, size);
            }
        }

        @Override
        public void force(boolean metadata) throws IOException {
            synchronized (lock) {
                check();
                Path path = pathOf(inode);
                if (failingForces.test(path)) {
                    throw new IOException("Input/output error (simulated fsync failure of " + path + ")");
                }
                inode.applyPending(inode.pending.size());
            }
        }

        @Override
        public void close() throws IOException {
            synchronized (lock) {
                if (!open) {
                    return;
                }
                open = false;
                inode.handles--;
                if (!crashed && !closed) {
                    collect(inode);
                }
            }
        }
    }
}
