package dev.courier.benchmark.chaos;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * Does the faults to the broker under test: it holds the broker process, the proxy the clients go
 * through, and the simulated disk's quota file. Every fault is undone before {@link #inject} returns
 * (the broker restarted and listening, resumed, the proxy accepting, the quota lifted).
 *
 * <p>Not thread-safe: the harness's one thread drives it. The caller owns the broker and the proxy.
 */
final class FaultInjector {

    private final BrokerProcess broker;
    private final TcpProxy proxy;
    private final Path dataDir;
    private final Path quotaFile;
    private final boolean simulatedDisk;
    private final List<String> simulatedExtra;
    private final PrintStream out;
    private int unexpectedExits;

    /**
     * @param simulatedDisk whether every broker runs on the simulated disk (one mode for the whole run: a
     *                      data directory cannot change between the two layouts); then a kill is a power
     *                      loss too, and with a {@code quotaFile} the disk can be filled
     * @param quotaFile     the file {@code --disk-quota-file} names, or null without disk-full faults
     */
    FaultInjector(
            BrokerProcess broker,
            TcpProxy proxy,
            Path dataDir,
            boolean simulatedDisk,
            Path quotaFile,
            PrintStream out) {
        this.broker = broker;
        this.proxy = proxy;
        this.dataDir = dataDir;
        this.simulatedDisk = simulatedDisk;
        this.quotaFile = quotaFile;
        this.simulatedExtra =
                quotaFile == null ? List.of() : List.of(ChaosBroker.DISK_QUOTA_FILE, quotaFile.toString());
        this.out = out;
    }

    /** Starts the first broker and points the proxy at it. */
    void startBroker() throws IOException, InterruptedException {
        proxy.target(broker.start(simulatedDisk, simulatedExtra));
    }

    /** Does {@code f} and undoes it; returns once the system is whole again. */
    void inject(FaultSchedule.Planned f) throws IOException, InterruptedException {
        switch (f.kind()) {
            case KILL, POWER_LOSS -> {
                broker.kill();
                startBroker(); // the clients follow through the proxy
            }
            case PAUSE -> {
                broker.pause();
                try {
                    Thread.sleep(f.lengthMillis());
                } finally {
                    broker.resume();
                }
            }
            case NET -> {
                proxy.cut();
                try {
                    Thread.sleep(f.lengthMillis());
                } finally {
                    proxy.restore();
                }
            }
            case DISK_FULL -> {
                if (quotaFile == null) {
                    throw new IllegalStateException("disk-full needs the quota file");
                }
                writeQuota(usage());
                try {
                    Thread.sleep(f.lengthMillis());
                } finally {
                    Files.deleteIfExists(quotaFile);
                }
            }
        }
    }

    /** Restarts a broker that exited without being told to (counted in {@link #unexpectedExits()}). */
    void keepBrokerAlive() throws IOException, InterruptedException {
        if (broker.alive()) {
            return;
        }
        unexpectedExits++;
        out.println("chaos: WARNING the broker exited on its own (exit " + broker.exitValue() + "); restarting it");
        startBroker();
    }

    int unexpectedExits() {
        return unexpectedExits;
    }

    /** Bytes the data directory holds on the real disk: at most what the simulated disk counts, so it is full. */
    private long usage() throws IOException {
        long total = 0;
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path p : files.toList()) {
                try {
                    if (Files.isRegularFile(p)) {
                        total += Files.size(p);
                    }
                } catch (NoSuchFileException e) {
                    // deleted meanwhile
                }
            }
        }
        return total;
    }

    /** Writes the quota as the broker reads it, atomically, so it never reads half a number. */
    private void writeQuota(long bytes) throws IOException {
        Path tmp = quotaFile.resolveSibling(quotaFile.getFileName() + ".tmp");
        Files.writeString(tmp, Long.toString(bytes));
        Files.move(tmp, quotaFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
