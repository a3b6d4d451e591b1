package dev.courier.mq.broker.storage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SimulatedDiskTest {

    @TempDir
    Path root;

    private final List<SimulatedDisk> disks = new ArrayList<>();

    @AfterEach
    void closeDisks() {
        disks.forEach(SimulatedDisk::close);
    }

    private SimulatedDisk open() throws IOException {
        SimulatedDisk d = SimulatedDisk.open(root);
        disks.add(d);
        return d;
    }

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String read(StorageFile f) throws IOException {
        ByteBuffer b = ByteBuffer.allocate((int) f.size());
        f.readFully(b, 0);
        return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
    }

    private static String contentAfterCrash(SimulatedDisk reopened, Path file) throws IOException {
        try (StorageFile f = reopened.open(file, Storage.OpenMode.EXISTING)) {
            return read(f);
        }
    }

    @Test
    void onlyForcedBytesSurviveACrash() throws IOException {
        SimulatedDisk disk = open();
        Path file = root.resolve("a.log");
        StorageFile f = disk.open(file, Storage.OpenMode.CREATE_NEW);
        disk.syncDirectory(root);
        f.writeFully(bytes("durable"), 0);
        f.force(false);
        f.writeFully(bytes("-lost"), 7);
        assertThat(read(f)).as("the process sees its unsynced writes").isEqualTo("durable-lost");
        disk.crash(SimulatedDisk.CrashMode.LOSE_UNSYNCED, new Random(1));
        assertThatThrownBy(() -> f.writeFully(bytes("x"), 0)).isInstanceOf(IOException.class);
        assertThat(contentAfterCrash(open(), file)).isEqualTo("durable");
    }

    @Test
    void aNewFileIsLostUnlessItsDirectoryWasSynced() throws IOException {
        SimulatedDisk disk = open();
        Path dir = root.resolve("topics/t");
        disk.createDirectories(dir);
        StorageFile f = disk.open(dir.resolve("0.log"), Storage.OpenMode.CREATE_NEW);
        f.writeFully(bytes("forced"), 0);
        f.force(true);
        disk.syncDirectory(dir); // the file's entry is durable, but its directory's entries are not
        disk.crash(SimulatedDisk.CrashMode.LOSE_UNSYNCED, new Random(1));
        SimulatedDisk after = open();
        assertThat(after.exists(dir)).isFalse();
        assertThat(after.list(root)).isEmpty();

        after.createDirectories(dir);
        after.syncDirectory(root);
        after.syncDirectory(root.resolve("topics"));
        StorageFile g = after.open(dir.resolve("0.log"), Storage.OpenMode.CREATE_NEW);
        g.writeFully(bytes("forced"), 0);
        g.force(true);
        after.syncDirectory(dir);
        after.crash(SimulatedDisk.CrashMode.LOSE_UNSYNCED, new Random(1));
        assertThat(contentAfterCrash(open(), dir.resolve("0.log"))).isEqualTo("forced");
    }

    @Test
    void renamesAndDeletesAreUndoneUntilTheDirectoryIsSynced() throws IOException {
        SimulatedDisk disk = open();
        for (String name : List.of("old", "gone")) {
            try (StorageFile f = disk.open(root.resolve(name), Storage.OpenMode.CREATE_NEW)) {
                f.writeFully(bytes(name), 0);
                f.force(false);
            }
        }
        disk.syncDirectory(root);
        try (StorageFile f = disk.open(root.resolve("new.tmp"), Storage.OpenMode.CREATE_NEW)) {
            f.writeFully(bytes("replacement"), 0);
            f.force(false);
        }
        disk.move(root.resolve("new.tmp"), root.resolve("old"));
        disk.deleteIfExists(root.resolve("gone"));
        assertThat(disk.list(root)).containsExactly("old");
        disk.crash(SimulatedDisk.CrashMode.LOSE_UNSYNCED, new Random(1));

        SimulatedDisk after = open();
        assertThat(after.list(root)).containsExactly("gone", "old");
        assertThat(contentAfterCrash(after, root.resolve("old"))).isEqualTo("old");
        try (StorageFile f = after.open(root.resolve("new.tmp"), Storage.OpenMode.CREATE_NEW)) {
            f.writeFully(bytes("replacement"), 0);
            f.force(false);
        }
        after.move(root.resolve("new.tmp"), root.resolve("old"));
        after.deleteIfExists(root.resolve("gone"));
        after.syncDirectory(root);
        after.crash(SimulatedDisk.CrashMode.LOSE_UNSYNCED, new Random(1));
        SimulatedDisk last = open();
        assertThat(last.list(root)).containsExactly("old");
        assertThat(contentAfterCrash(last, root.resolve("old"))).isEqualTo("replacement");
        try (var s = Files.list(root.resolve(".simdisk/inodes"))) {
            assertThat(s.count()).as("inodes nothing refers to are dropped").isEqualTo(1);
        }
    }

    @Test
    void aTornCrashKeepsAPrefixOfTheUnsyncedWrites() throws IOException {
        String unsynced = "0123456789".repeat(100);
        boolean sawPartial = false;
        for (int seed = 0; seed < 20; seed++) {
            Path dir = root.resolve("run" + seed);
            Files.createDirectories(dir);
            SimulatedDisk disk = SimulatedDisk.open(dir);
            disks.add(disk);
            StorageFile f = disk.open(dir.resolve("f"), Storage.OpenMode.CREATE_NEW);
            disk.syncDirectory(dir);
            f.writeFully(bytes("head|"), 0);
            f.force(false);
            for (int i = 0; i < 10; i++) {
                f.writeFully(bytes(unsynced.substring(i * 100, i * 100 + 100)), 5 + i * 100);
            }
            disk.crash(SimulatedDisk.CrashMode.TORN_PREFIX, new Random(seed));
            SimulatedDisk after = SimulatedDisk.open(dir);
            disks.add(after);
            String content = contentAfterCrash(after, dir.resolve("f"));
            assertThat(content).startsWith("head|");
            assertThat(unsynced).startsWith(content.substring(5));
            sawPartial |= content.length() > 5
                    && content.length() < 5 + unsynced.length()
                    && (content.length() - 5) % 100 != 0;
        }
        assertThat(sawPartial).as("some crash tore a write in the middle").isTrue();
    }

    @Test
    void aReorderedCrashKeepsSomeUnsyncedPagesOutOfOrder() throws IOException {
        SimulatedDisk disk = open();
        StorageFile f = disk.open(root.resolve("f"), Storage.OpenMode.CREATE_NEW);
        disk.syncDirectory(root);
        byte[] pages = new byte[16 * 4096];
        for (int p = 0; p < 16; p++) {
            java.util.Arrays.fill(pages, p * 4096, (p + 1) * 4096, (byte) ('a' + p));
        }
        f.writeFully(ByteBuffer.wrap(pages), 0);
        disk.crash(SimulatedDisk.CrashMode.REORDERED_PAGES, new Random(7));
        SimulatedDisk after = open();
        try (StorageFile g = after.open(root.resolve("f"), Storage.OpenMode.EXISTING)) {
            ByteBuffer b = ByteBuffer.allocate((int) g.size());
            g.readFully(b, 0);
            int kept = 0;
            boolean hole = false;
            for (int p = 0; p * 4096 < b.position(); p++) {
                byte first = b.get(p * 4096);
                if (first == 'a' + p) {
                    kept++;
                } else {
                    assertThat(first)
                            .as("a page not written back reads as zeros")
                            .isZero();
                    hole = true;
                }
            }
            assertThat(kept).isEqualTo(8);
            assertThat(hole)
                    .as("pages landed out of order, leaving holes before later pages")
                    .isTrue();
        }
    }

    @Test
    void aFullDiskRefusesGrowingWritesAsENOSPCAndResumesWhenSpaceIsBack() throws IOException {
        SimulatedDisk disk = open();
        StorageFile f = disk.open(root.resolve("f"), Storage.OpenMode.CREATE_NEW);
        f.writeFully(bytes("12345"), 0);
        disk.quota(8);
        assertThatThrownBy(() -> f.writeFully(bytes("6789"), 5))
                .isInstanceOf(IOException.class)
                .hasMessage(SimulatedDisk.NO_SPACE)
                .satisfies(e -> assertThat(StorageFullException.isNoSpace(e)).isTrue());
        f.writeFully(bytes("ab"), 0); // overwriting does not grow the file
        assertThat(read(f)).isEqualTo("ab345");
        disk.quota(-1);
        f.writeFully(bytes("6789"), 5);
        assertThat(read(f)).isEqualTo("ab3456789");
        assertThat(disk.usedBytes()).isEqualTo(9);
    }

    @Test
    void aQuotaFileIsFollowed() throws Exception {
        SimulatedDisk disk = open();
        Path quotaFile = Files.createTempFile("quota", ".txt");
        try {
            Files.writeString(quotaFile, "0");
            disk.watchQuotaFile(quotaFile, 10);
            StorageFile f = disk.open(root.resolve("f"), Storage.OpenMode.CREATE_NEW);
            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThatThrownBy(() -> f.writeFully(bytes("x"), 0))
                            .hasMessage(SimulatedDisk.NO_SPACE));
            Files.delete(quotaFile);
            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(10))
                    .untilAsserted(() -> {
                        f.writeFully(bytes("x"), 0);
                        assertThat(f.size()).isEqualTo(1);
                    });
        } finally {
            Files.deleteIfExists(quotaFile);
        }
    }

    @Test
    void injectedForceFailuresHitTheChosenPathsOnly() throws IOException {
        SimulatedDisk disk = open();
        StorageFile a = disk.open(root.resolve("a"), Storage.OpenMode.CREATE_NEW);
        StorageFile b = disk.open(root.resolve("b"), Storage.OpenMode.CREATE_NEW);
        disk.failForces(p -> p.getFileName().toString().equals("a"));
        a.writeFully(bytes("x"), 0);
        b.writeFully(bytes("y"), 0);
        assertThatThrownBy(() -> a.force(false)).isInstanceOf(IOException.class).hasMessageContaining("fsync");
        b.force(false);
    }

    @Test
    void readsSeeTruncationsAndRewritesBeforeTheyAreForced() throws IOException {
        SimulatedDisk disk = open();
        StorageFile f = disk.open(root.resolve("f"), Storage.OpenMode.CREATE_NEW);
        f.writeFully(bytes("abcdefgh"), 0);
        f.force(false);
        f.truncate(3);
        f.writeFully(bytes("XY"), 5); // leaves a hole of zeros at 3..4
        ByteBuffer b = ByteBuffer.allocate(16);
        assertThat(f.readFully(b, 0)).isEqualTo(7);
        assertThat(new String(b.array(), 0, 7, StandardCharsets.ISO_8859_1)).isEqualTo("abc\0\0XY");
        f.force(false);
        b.clear();
        assertThat(f.readFully(b, 0)).isEqualTo(7);
        assertThat(new String(b.array(), 0, 7, StandardCharsets.ISO_8859_1)).isEqualTo("abc\0\0XY");
    }

    @Test
    void aDirectoryOfRealFilesIsRefused() throws IOException {
        Files.writeString(root.resolve("00000000000000000000.log"), "real");
        assertThatThrownBy(() -> SimulatedDisk.open(root))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("real file system");
    }
}
