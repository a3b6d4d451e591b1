package dev.courier.benchmark.chaos;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The broker under test, one child JVM at a time on one data directory: started with {@code --port 0},
 * its port read from the {@code listening on HOST:PORT} line it prints; killed, paused, resumed and
 * restarted by the harness. Every incarnation appends to one log file.
 *
 * <p>Not thread-safe: the harness's one thread drives it.
 */
final class BrokerProcess {

    private static final Pattern LISTENING = Pattern.compile("courier broker: listening on (\\S+):(\\d+)");
    static final long START_TIMEOUT_SECONDS = 90;

    private final ChildJvms jvms;
    private final Path dataDir;
    private final Path log;
    private final List<String> baseArgs;
    private Process process;
    private InetSocketAddress address;
    private boolean paused;
    private int incarnations;

    /**
     * @param baseArgs broker flags besides {@code --data-dir}, {@code --host}, {@code --port} and the
     *                 simulated-disk flag, which {@link #start} adds
     */
    BrokerProcess(ChildJvms jvms, Path dataDir, Path log, List<String> baseArgs) {
        this.jvms = jvms;
        this.dataDir = dataDir;
        this.log = log;
        this.baseArgs = List.copyOf(baseArgs);
    }

    /**
     * Starts an incarnation and waits until it listens.
     *
     * @param simulatedDisk whether it runs with {@code --simulate-disk-cache} (and then {@code extra})
     * @param extra         flags valid only on the simulated disk (the disk quota file)
     */
    InetSocketAddress start(boolean simulatedDisk, List<String> extra) throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("The broker is running");
        }
        List<String> args =
                new ArrayList<>(List.of("--data-dir", dataDir.toString(), "--host", "127.0.0.1", "--port", "0"));
        args.addAll(baseArgs);
        if (simulatedDisk) {
            args.add("--simulate-disk-cache");
            args.addAll(extra);
        }
        long from = Files.exists(log) ? Files.size(log) : 0;
        Files.writeString(
                log,
                "=== incarnation " + (++incarnations) + (simulatedDisk ? " (simulated disk)" : "") + ": "
                        + String.join(" ", args) + "\n",
                StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
        process = jvms.start(List.of("-Xms128m", "-Xmx384m", "-XX:+UseSerialGC"), BrokerChild.class, args, log);
        paused = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
        while (System.nanoTime() < deadline) {
            Matcher m = LISTENING.matcher(tail(from));
            if (m.find()) {
                address = new InetSocketAddress(m.group(1), Integer.parseInt(m.group(2)));
                return address;
            }
            if (!process.isAlive()) {
                throw new BrokerFailedException(
                        "The broker exited with " + process.exitValue() + " while starting:\n" + tail(from));
            }
            Thread.sleep(50); // polling the log the child writes
        }
        ChildJvms.kill(process);
        throw new BrokerFailedException(
                "The broker did not listen within " + START_TIMEOUT_SECONDS + " s:\n" + tail(from));
    }

    /** What the log holds from {@code from} on (an incarnation's start-up output is small). */
    private String tail(long from) throws IOException {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(log)) {
            long size = ch.size();
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate((int) Math.min(Math.max(0, size - from), 1 << 20));
            while (buf.hasRemaining() && ch.read(buf, from + buf.position()) >= 0) {
                // until full or the end
            }
            return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
        }
    }

    InetSocketAddress address() {
        return address;
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    /** The exit code of an incarnation that ended. */
    int exitValue() {
        return process.exitValue();
    }

    int incarnations() {
        return incarnations;
    }

    void kill() throws InterruptedException {
        ChildJvms.kill(process);
        paused = false;
    }

    void pause() {
        ChildJvms.signal(process, "STOP");
        paused = true;
    }

    void resume() {
        ChildJvms.signal(process, "CONT");
        paused = false;
    }

    /** SIGTERM (the broker's graceful shutdown), SIGKILL if it has not exited within 30 s; true if it exited itself. */
    boolean stop() throws InterruptedException {
        if (process == null || !process.isAlive()) {
            return true;
        }
        if (paused) {
            resume();
        }
        process.destroy();
        if (process.waitFor(30, TimeUnit.SECONDS)) {
            return true;
        }
        kill();
        return false;
    }

    /** The broker did not start or died on its own. */
    static final class BrokerFailedException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        BrokerFailedException(String message) {
            super(message);
        }
    }
}
