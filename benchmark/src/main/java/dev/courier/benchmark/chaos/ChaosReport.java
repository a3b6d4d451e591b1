package dev.courier.benchmark.chaos;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.courier.benchmark.report.HtmlReport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes {@code chaos.json} and {@code index.html} into a directory, in the style of the benchmark
 * reports: totals, recovery per kind of fault, the fault list, and a timeline of acknowledgements per
 * second with the faults drawn over it (inline SVG, so the page opens offline).
 */
final class ChaosReport {

    private static final List<FaultKind> ORDER = List.of(FaultKind.values());

    private ChaosReport() {}

    static void write(Path dir, ChaosRun run) throws IOException {
        Files.createDirectories(dir);
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(dir.resolve("chaos.json").toFile(), run);
        Files.writeString(dir.resolve("index.html"), html(run));
    }

    static String html(ChaosRun run) {
        ChaosRun.Totals t = run.totals();
        StringBuilder sb = new StringBuilder(HtmlReport.head("Courier broker fault run"));
        sb.append(String.format(
                Locale.ROOT,
                "<p>seed %d, %d s, faults %s, %d producers, %d consumers on %d "
                        + "subscription(s)%s. Verdict: <b>%s</b></p>",
                run.seed(),
                run.durationSeconds(),
                HtmlReport.esc(String.join(",", run.faultKinds())),
                run.producers(),
                run.consumers(),
                run.subscriptions(),
                run.mutation() == null ? "" : ", mutation " + HtmlReport.esc(run.mutation()),
                run.valid() ? "valid (nothing lost, nothing unexpected)" : "INVALID"));
        sb.append("<h2>History</h2><table><tr><th>attempted</th><th>acknowledged</th><th>delivered</th><th>lost</th>"
                + "<th>unexpected</th><th>duplicated</th><th>duplicate rate</th><th>recovered</th></tr>");
        sb.append(String.format(
                Locale.ROOT,
                "<tr><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td>"
                        + "<td>%.2f%%</td><td>%d</td></tr></table>",
                t.attempted(),
                t.acknowledged(),
                t.delivered(),
                t.lost(),
                t.unexpected(),
                t.duplicated(),
                100 * t.duplicateRate(),
                t.recovered()));
        if (!t.lostSamples().isEmpty()) {
            sb.append("<p>lost: ")
                    .append(HtmlReport.esc(String.join(" ", t.lostSamples())))
                    .append("</p>");
        }
        if (!t.unexpectedSamples().isEmpty()) {
            sb.append("<p>unexpected: ")
                    .append(HtmlReport.esc(String.join(" ", t.unexpectedSamples())))
                    .append("</p>");
        }
        sb.append("<h2>Recovery (fault end to the first acknowledgement after it)</h2><table><tr><th>fault</th>"
                + "<th>count</th><th>recovered</th><th>p50 ms</th><th>max ms</th></tr>");
        for (Map.Entry<String, QueueChecker.Recovery> e : run.recovery().entrySet()) {
            QueueChecker.Recovery r = e.getValue();
            sb.append(String.format(
                    Locale.ROOT,
                    "<tr><td>%s</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td></tr>",
                    HtmlReport.esc(e.getKey()),
                    r.count(),
                    r.recovered(),
                    r.p50Millis(),
                    r.maxMillis()));
        }
        sb.append("</table><h2>Timeline</h2>").append(timeline(run));
        sb.append("<table><tr><th>#</th><th>fault</th><th>planned s</th><th>start s</th><th>end s</th>"
                + "<th>recovery ms</th></tr>");
        for (ChaosRun.Fault f : run.faults()) {
            sb.append(String.format(
                    Locale.ROOT,
                    "<tr><td>%d</td><td>%s</td><td>%.1f</td><td>%.1f</td><td>%.1f</td>" + "<td>%s</td></tr>",
                    f.index(),
                    HtmlReport.esc(f.kind()),
                    f.plannedStartMs() / 1000.0,
                    f.startMs() / 1000.0,
                    f.endMs() / 1000.0,
                    f.recoveryMs() == null ? "none" : f.recoveryMs().toString()));
        }
        return sb.append("</table></body></html>\n").toString();
    }

    /** Acknowledgements per second as a line, each fault as a band in its kind's colour. */
    private static String timeline(ChaosRun run) {
        int w = 900;
        int h = 260;
        int left = 50;
        int bottom = h - 40;
        List<Long> acks = run.acksPerSecond();
        double seconds = Math.max(1, acks.size());
        long max = Math.max(1, acks.stream().mapToLong(Long::longValue).max().orElse(1));
        StringBuilder sb = new StringBuilder(String.format(
                Locale.ROOT,
                "<div class=\"charts\"><svg width=\"%d\" "
                        + "height=\"%d\" role=\"img\"><text x=\"0\" y=\"14\" font-size=\"13\">Acknowledgements "
                        + "per second"
                        + "</text>",
                w,
                h));
        double scale = (w - left - 10) / seconds;
        for (ChaosRun.Fault f : run.faults()) {
            double x = left + f.startMs() / 1000.0 * scale;
            double width = Math.max(2, (f.endMs() - f.startMs()) / 1000.0 * scale);
            sb.append(String.format(
                    Locale.ROOT,
                    "<rect x=\"%.1f\" y=\"24\" width=\"%.1f\" height=\"%d\" fill=\"%s\" "
                            + "opacity=\"0.35\"><title>%s</title></rect>",
                    x,
                    width,
                    bottom - 24,
                    HtmlReport.colour(ORDER.indexOf(FaultKind.parse(f.kind()))),
                    HtmlReport.esc(f.kind())));
        }
        StringBuilder pts = new StringBuilder();
        for (int i = 0; i < acks.size(); i++) {
            pts.append(String.format(
                    Locale.ROOT,
                    "%.1f,%.1f ",
                    left + (i + 0.5) * scale,
                    bottom - (bottom - 30) * (double) acks.get(i) / max));
        }
        sb.append("<polyline fill=\"none\" stroke=\"#333\" stroke-width=\"1.5\" points=\"")
                .append(pts.toString().trim())
                .append("\"/>");
        sb.append(String.format(
                Locale.ROOT,
                "<text x=\"0\" y=\"34\" font-size=\"10\">%d</text>"
                        + "<text x=\"0\" y=\"%d\" font-size=\"10\">0</text><text x=\"%d\" y=\"%d\" "
                        + "font-size=\"11\">0 s</text>"
                        + "<text x=\"%d\" y=\"%d\" font-size=\"11\">%.0f s</text>",
                max,
                bottom,
                left,
                bottom + 16,
                w - 40,
                bottom + 16,
                seconds));
        int x = left;
        for (FaultKind k : ORDER) {
            sb.append(String.format(
                    Locale.ROOT,
                    "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\" "
                            + "opacity=\"0.5\"/><text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>",
                    x,
                    h - 12,
                    HtmlReport.colour(ORDER.indexOf(k)),
                    x + 14,
                    h - 3,
                    k.label()));
            x += 100;
        }
        return sb.append("</svg></div>").toString();
    }
}
