package dev.courier.mq.broker.storage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Recovery of a topic log's directory when it is opened. With a usable {@link RecoveryCheckpoint}, the
 * segments below its recovery point are restored from their stored indexes without reading their
 * records, the producer table from its snapshot, and only the segments from the recovery point on are
 * scanned; without one (or when it or an index it relies on is damaged, missing or disagrees with a
 * file), every segment is. A scan validates a segment (see {@link Segment#open}), cuts a torn tail,
 * fences off damaged ranges, feeds the producer table and finds the offsets that are missing from the
 * retained range (offsets of one log are consecutive, so a jump means records were lost to damage).
 * Leftovers of interrupted writes ({@code *.tmp} of the checkpoint and indexes, indexes of deleted
 * segments) are deleted. Stateless.
 */
final class LogLoader {

    private static final Logger log = LoggerFactory.getLogger(LogLoader.class);

    private LogLoader() {}

    /**
     * What recovery found.
     *
     * @param segments   the valid segments, oldest first (damaged ones included: they stay readable)
     * @param nextOffset the offset the next appended record gets
     * @param missing    offset ranges {@code [from, to)} inside the log that no record holds
     * @param report     one line per repair or damage, for the operator
     * @param scanned    how many segments were read through (the others were restored from the checkpoint)
     */
    record Loaded(List<Segment> segments, long nextOffset, List<long[]> missing, List<String> report, int scanned) {}

    static Loaded load(String name, Storage storage, Path dir, LogConfig config, ProducerTable producers)
            throws IOException {
        List<String> entries = storage.list(dir);
        List<String> files = entries.stream()
                .filter(f -> f.endsWith(Segment.SUFFIX))
                .sorted()
                .toList();
        deleteLeftovers(storage, dir, entries, files);
        List<String> report = new ArrayList<>();
        RecoveryCheckpoint checkpoint = null;
        try {
            checkpoint = RecoveryCheckpoint.read(storage, dir);
        } catch (ChecksummedFile.CorruptException e) {
            unusable(name, e, report);
        }
        if (checkpoint != null) {
            Loaded restored = fromCheckpoint(name, storage, dir, config, producers, files, checkpoint, report);
            if (restored != null) {
                return restored;
            }
            producers.clear();
        }
        return scan(
                name,
                storage,
                dir,
                config,
                producers,
                files,
                new ArrayList<>(),
                new ArrayList<>(),
                Long.MIN_VALUE,
                report);
    }

    private static void unusable(String name, Exception e, List<String> report) {
        String msg = "Topic " + name + ": the recovery checkpoint cannot be used (" + e.getMessage()
                + "); every segment is validated instead";
        log.warn(msg);
        report.add(msg);
    }

    private static long baseOf(String segmentFile) {
        return Long.parseLong(segmentFile.substring(0, segmentFile.length() - Segment.SUFFIX.length()));
    }

    /** Temporary files of interrupted checkpoint and index writes, and indexes whose segment is gone. */
    private static void deleteLeftovers(Storage storage, Path dir, List<String> entries, List<String> segments)
            throws IOException {
        for (String e : entries) {
            boolean tmp = e.equals(RecoveryCheckpoint.FILE + ChecksummedFile.TMP_SUFFIX)
                    || e.endsWith(Segment.INDEX_SUFFIX + ChecksummedFile.TMP_SUFFIX);
            boolean orphan = e.endsWith(Segment.INDEX_SUFFIX)
                    && !segments.contains(e.substring(0, e.length() - Segment.INDEX_SUFFIX.length()) + Segment.SUFFIX);
            if (tmp || orphan) {
                storage.deleteIfExists(dir.resolve(e));
            }
        }
    }

    /** The log restored from {@code checkpoint}, or null (reported) if it cannot be used. */
    private static Loaded fromCheckpoint(
            String name,
            Storage storage,
            Path dir,
            LogConfig config,
            ProducerTable producers,
            List<String> files,
            RecoveryCheckpoint checkpoint,
            List<String> report)
            throws IOException {
        List<Segment> restored = new ArrayList<>();
        int tail = 0;
        try {
            long next = -1; // where the segment before ended
            for (; tail < files.size(); tail++) {
                String fn = files.get(tail);
                long base = baseOf(fn);
                if (base >= checkpoint.recoveryPoint()) {
                    break;
                }
                follows(checkpoint, next, base, fn);
                Segment s = Segment.restore(storage, dir.resolve(fn), base, config.indexIntervalBytes());
                restored.add(s);
                next = s.nextOffset();
            }
            follows(checkpoint, next, checkpoint.recoveryPoint(), "the recovery point");
            producers.restore(checkpoint.producers().duplicate());
        } catch (ChecksummedFile.CorruptException e) {
            closeAll(restored, e);
            unusable(name, e, report);
            return null;
        } catch (IOException | RuntimeException e) {
            closeAll(restored, e);
            throw e;
        }
        for (Segment s : restored) {
            if (s.damaged()) {
                String msg = "Topic " + name + ": segment " + s.file().getFileName() + " is damaged (as found when it"
                        + " was validated); the damaged bytes stay fenced off";
                log.error(msg);
                report.add(msg);
            }
        }
        // offsets below the first retained segment went to retention, not to damage
        long first = !restored.isEmpty()
                ? restored.get(0).baseOffset()
                : tail < files.size() ? baseOf(files.get(tail)) : checkpoint.recoveryPoint();
        List<long[]> missing = new ArrayList<>();
        for (long[] m : checkpoint.missing()) {
            if (m[1] > first) {
                missing.add(new long[] {Math.max(m[0], first), m[1]});
            }
        }
        long expect = restored.isEmpty() ? Long.MIN_VALUE : checkpoint.recoveryPoint();
        Loaded loaded = scan(
                name,
                storage,
                dir,
                config,
                producers,
                files.subList(tail, files.size()),
                restored,
                missing,
                expect,
                report);
        log.info(
                "Topic {}: {} segments restored from the recovery checkpoint at offset {}, {} scanned",
                name,
                restored.size(),
                checkpoint.recoveryPoint(),
                loaded.scanned());
        return loaded;
    }

    /**
     * Checks that what starts at {@code base} follows the restored segment that ended at {@code end}
     * (-1: none): offsets in between are in no segment, which the checkpoint must know as missing.
     */
    private static void follows(RecoveryCheckpoint checkpoint, long end, long base, String what)
            throws ChecksummedFile.CorruptException {
        if (end < 0 || end == base) {
            return;
        }
        for (long[] m : checkpoint.missing()) {
            if (m[0] <= end && base <= m[1]) {
                return;
            }
        }
        throw new ChecksummedFile.CorruptException(what + " does not follow the segment before it: offsets " + end
                + ".." + (base - 1) + " are in no segment");
    }

    private static void closeAll(List<Segment> segments, Exception e) {
        for (Segment s : segments) {
            try {
                s.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
        }
    }

    /**
     * Validates {@code files} after the already {@code restored} segments, expecting the offset
     * {@code expectFrom} next ({@code Long.MIN_VALUE}: whatever the first file starts at).
     */
    private static Loaded scan(
            String name,
            Storage storage,
            Path dir,
            LogConfig config,
            ProducerTable producers,
            List<String> files,
            List<Segment> restored,
            List<long[]> missing,
            long expectFrom,
            List<String> report)
            throws IOException {
        List<Segment> segments = restored;
        long[] expect = {expectFrom};
        long next = 0;
        for (Segment s : restored) {
            next = Math.max(next, Math.max(s.baseOffset(), s.nextOffset()));
        }
        try {
            for (String fn : files) {
                long base = baseOf(fn);
                if (expect[0] == Long.MIN_VALUE) {
                    expect[0] = base;
                }
                Segment.Scan scan = Segment.open(
                        storage, dir.resolve(fn), base, config.indexIntervalBytes(), (offset, pid, seq, timestamp) -> {
                            if (offset > expect[0]) {
                                missing.add(new long[] {expect[0], offset});
                            }
                            expect[0] = Math.max(expect[0], offset + 1);
                            if (pid != 0) {
                                producers.record(pid, seq, offset, timestamp);
                            }
                        });
                Segment s = scan.segment();
                segments.add(s);
                next = Math.max(next, Math.max(base, s.nextOffset()));
                if (scan.corrupt()) {
                    String msg = "Topic " + name + ": segment " + fn + " is damaged (" + scan.problem() + "); the "
                            + "damaged bytes are fenced off, every valid record before and after them stays readable,"
                            + " and the segment is no longer appended to";
                    log.error(msg);
                    report.add(msg);
                } else if (scan.truncatedBytes() > 0) {
                    String msg = "Topic " + name + ": segment " + fn + " had a torn tail (" + scan.problem() + "); cut "
                            + scan.truncatedBytes() + " bytes";
                    log.warn(msg);
                    report.add(msg);
                }
            }
        } catch (IOException | RuntimeException e) {
            closeAll(segments, e);
            throw e;
        }
        if (!missing.isEmpty()) {
            StringBuilder sb = new StringBuilder("Topic " + name + ": offsets missing after damage:");
            long total = 0;
            for (long[] m : missing) {
                sb.append(' ').append(m[0]).append("..").append(m[1] - 1);
                total += m[1] - m[0];
            }
            sb.append(" (")
                    .append(total)
                    .append(" in all); subscriptions report them as a gap and never acknowledge "
                            + "them by themselves");
            log.error(sb.toString());
            report.add(sb.toString());
        }
        return new Loaded(segments, next, missing, report, files.size());
    }
}
