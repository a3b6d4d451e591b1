package dev.courier.benchmark.chaos;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Appends a client's history lines (format in {@link History}), each flushed to the file as it is
 * written, so the harness reads every event up to the last complete line whatever becomes of the
 * client. Thread-safe; {@link #close()} is idempotent.
 */
final class HistoryWriter implements AutoCloseable {

    private final BufferedWriter out;
    private boolean closed;

    HistoryWriter(Path file) throws IOException {
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    }

    synchronized void line(String line) {
        if (closed) {
            return;
        }
        try {
            out.write(line);
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }

    @Override
    public synchronized void close() throws IOException {
        if (!closed) {
            closed = true;
            out.close();
        }
    }
}
