package dev.courier.mq.broker.storage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Recovery of a topic log's directory when it is opened: validates every segment (see
 * {@link Segment#open}), cuts torn tails, fences off damaged ranges, rebuilds the producer table and
 * finds the offsets that are missing from the retained range (offsets of one log are consecutive, so a
 * jump means records were lost to damage). Stateless.
 */
final class LogLoader {

    private static final Logger log = LoggerFactory.getLogger(LogLoader.class);

    private LogLoader() {
    }

    /**
     * What recovery found.
     *
     * @param segments   the valid segments, oldest first (damaged ones included: they stay readable)
     * @param nextOffset the offset the next appended record gets
     * @param missing    offset ranges {@code [from, to)} inside the log that no record holds
     * @param report     one line per repair or damage, for the operator
     */
    record Loaded(List<Segment> segments, long nextOffset, List<long[]> missing, List<String> report) {
    }

    static Loaded load(String name, Storage storage, Path dir, LogConfig config, ProducerTable producers)
            throws IOException {
        List<String> files = storage.list(dir).stream().filter(f -> f.endsWith(Segment.SUFFIX)).sorted().toList();
        List<Segment> segments = new ArrayList<>();
        List<long[]> missing = new ArrayList<>();
        List<String> report = new ArrayList<>();
        long[] expect = {Long.MIN_VALUE};
        long next = 0;
        try {
            for (String fn : files) {
                long base = Long.parseLong(fn.substring(0, fn.length() - Segment.SUFFIX.length()));
                if (expect[0] == Long.MIN_VALUE) {
                    expect[0] = base;
                }
                Segment.Scan scan = Segment.open(storage, dir.resolve(fn), base, config.indexIntervalBytes(),
                        (offset, pid, seq) -> {
                            if (offset > expect[0]) {
                                missing.add(new long[] {expect[0], offset});
                            }
                            expect[0] = Math.max(expect[0], offset + 1);
                            if (pid != 0) {
                                producers.record(pid, seq, offset);
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
            for (Segment s : segments) {
                try {
                    s.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        if (!missing.isEmpty()) {
            StringBuilder sb = new StringBuilder("Topic " + name + ": offsets missing after damage:");
            long total = 0;
            for (long[] m : missing) {
                sb.append(' ').append(m[0]).append("..").append(m[1] - 1);
                total += m[1] - m[0];
            }
            sb.append(" (").append(total).append(" in all); subscriptions report them as a gap and never acknowledge "
                    + "them by themselves");
            log.error(sb.toString());
            report.add(sb.toString());
        }
        return new Loaded(segments, next, missing, report);
    }
}
