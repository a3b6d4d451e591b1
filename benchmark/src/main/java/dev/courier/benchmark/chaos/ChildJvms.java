package dev.courier.benchmark.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Starts the run's child JVMs (on this JVM's class path) and owns them: {@link #close()} kills every
 * one still alive (a stopped one too), and a shutdown hook does the same if this JVM exits first. A
 * child's stdin stays a pipe to this JVM, so a child that watches it sees end-of-file when this JVM is
 * gone, however it died. Thread-safe.
 */
final class ChildJvms implements AutoCloseable {

    private final List<Process> children = new CopyOnWriteArrayList<>();
    private final Thread hook = new Thread(this::killAll, "courier-chaos-kill-children");
    private boolean closed;

    ChildJvms() {
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Starts {@code mainClass} with {@code args}; stdout and stderr append to {@code log}. */
    Process start(List<String> jvmFlags, Class<?> mainClass, List<String> args, Path log) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmFlags);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass.getName());
        cmd.addAll(args);
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("closed");
            }
            try {
                Process p = new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                        .start();
                children.add(p);
                return p;
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot start " + mainClass.getSimpleName(), e);
            }
        }
    }

    /** Sends {@code signal} (STOP, CONT, ...) to {@code p}. */
    static void signal(Process p, String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid()))
                    .inheritIO()
                    .start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + p.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** SIGKILL, and waits for the process to be gone. */
    static void kill(Process p) throws InterruptedException {
        p.destroyForcibly();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("process " + p.pid() + " survived SIGKILL");
        }
    }

    /** Closes stdin of {@code p}: the harness's clients take it as the signal to finish. */
    static void closeStdin(Process p) {
        try {
            p.getOutputStream().close();
        } catch (IOException e) {
            // already gone
        }
    }

    private void killAll() {
        for (Process p : children) {
            if (p.isAlive()) {
                p.destroyForcibly(); // SIGKILL also ends a SIGSTOPped process
            }
        }
        for (Process p : children) {
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // this JVM is already shutting down; the hook runs anyway
        }
    }
}
