package dev.courier.benchmark.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Writes {@code results.json} and {@code index.html} into a directory. The page draws, per scenario,
 * a throughput bar chart and a latency-percentile chart as inline SVG, so it opens offline.
 */
public final class HtmlReport {

    private static final String[] COLOURS = {
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"
    };

    private HtmlReport() {}

    public static void write(Path dir, String title, List<Result> results) throws IOException {
        write(dir, title, results, Map.of());
    }

    /** As {@link #write(Path, String, List)}, with a table of the failed calls by status when there were any. */
    public static void write(Path dir, String title, List<Result> results, Map<String, Long> errorsByStatus)
            throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("results.json"), json(results));
        StringBuilder errors = new StringBuilder();
        if (!errorsByStatus.isEmpty()) {
            errors.append("<h2>failed calls by status</h2><table><tr><th>status</th><th>calls</th></tr>");
            errorsByStatus.forEach((status, n) -> errors.append("<tr><td>")
                    .append(esc(status))
                    .append("</td><td>")
                    .append(n)
                    .append("</td></tr>"));
            errors.append("</table>");
        }
        Files.writeString(dir.resolve("index.html"), html(title, results, errors.toString()));
    }

    static String json(List<Result> results) {
        StringBuilder sb = new StringBuilder("[\n");
        for (int i = 0; i < results.size(); i++) {
            Result r = results.get(i);
            sb.append(String.format(
                    Locale.ROOT,
                    "  {\"system\": \"%s\", \"scenario\": \"%s\", \"payload\": %d, "
                            + "\"concurrency\": %d, \"throughput\": %.1f, \"p50_us\": %d, \"p90_us\": %d, "
                            + "\"p99_us\": %d, \"p999_us\": %d, \"max_us\": %d, \"errors\": %d, \"cpu_cores\": "
                            + "%.2f}%s%n",
                    r.system(),
                    r.scenario(),
                    r.payload(),
                    r.concurrency(),
                    r.throughput(),
                    r.p50Micros(),
                    r.p90Micros(),
                    r.p99Micros(),
                    r.p999Micros(),
                    r.maxMicros(),
                    r.errors(),
                    r.cpuCores(),
                    i + 1 < results.size() ? "," : ""));
        }
        return sb.append("]\n").toString();
    }

    static String html(String title, List<Result> results) {
        return html(title, results, "");
    }

    /** The page, with {@code extra} (HTML) after the scenarios. */
    static String html(String title, List<Result> results, String extra) {
        Map<String, List<Result>> byScenario = new LinkedHashMap<>();
        Set<String> systems = new LinkedHashSet<>();
        for (Result r : results) {
            byScenario.computeIfAbsent(r.scenario(), k -> new ArrayList<>()).add(r);
            systems.add(r.system());
        }
        List<String> systemList = new ArrayList<>(systems);
        StringBuilder sb = new StringBuilder(head(title)).append("<p>");
        for (int i = 0; i < systemList.size(); i++) {
            sb.append("<span style=\"color:")
                    .append(COLOURS[i % COLOURS.length])
                    .append("\">&#9632; ")
                    .append(esc(systemList.get(i)))
                    .append("</span> &nbsp; ");
        }
        sb.append("</p>");
        for (Map.Entry<String, List<Result>> e : byScenario.entrySet()) {
            List<Result> rs = e.getValue();
            // a latency-only figure (no rate) gets no throughput chart, a rate-only one no latency chart
            boolean rates = rs.stream().anyMatch(r -> r.throughput() > 0);
            boolean latencies = rs.stream().anyMatch(r -> r.p50Micros() > 0 || r.p99Micros() > 0 || r.maxMicros() > 0);
            sb.append("<h2>")
                    .append(esc(e.getKey()))
                    .append("</h2><div class=\"charts\">")
                    .append(rates ? throughputChart(rs, systemList) : "")
                    .append(latencies ? latencyChart(rs, systemList) : "")
                    .append("</div>")
                    .append("<table><tr><th>system</th><th>throughput/s</th><th>p50 µs</th><th>p90 µs</th>"
                            + "<th>p99 µs</th><th>p99.9 µs</th><th>max µs</th><th>errors</th><th>CPU cores</th></tr>");
            for (Result r : rs) {
                sb.append(String.format(
                        Locale.ROOT,
                        "<tr><td>%s</td><td>%.0f</td><td>%d</td><td>%d</td><td>%d</td>"
                                + "<td>%d</td><td>%d</td><td>%d</td><td>%.2f</td></tr>",
                        esc(r.system()),
                        r.throughput(),
                        r.p50Micros(),
                        r.p90Micros(),
                        r.p99Micros(),
                        r.p999Micros(),
                        r.maxMicros(),
                        r.errors(),
                        r.cpuCores()));
            }
            sb.append("</table>");
        }
        return sb.append(extra).append("</body></html>\n").toString();
    }

    /** The page's start up to and including its {@code <h1>}: the style every report of the harness shares. */
    public static String head(String title) {
        return "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>" + esc(title)
                + "</title><style>body{font-family:sans-serif;margin:24px}h2{margin-top:32px}"
                + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}"
                + ".charts{display:flex;gap:32px;flex-wrap:wrap}</style></head><body>"
                + "<h1>" + esc(title) + "</h1>";
    }

    /** {@code s} escaped for HTML text. */
    public static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** The colour of series {@code i}, as the benchmark charts use them. */
    public static String colour(int i) {
        return COLOURS[i % COLOURS.length];
    }

    private static String throughputChart(List<Result> rs, List<String> systems) {
        int w = 420;
        int barH = 22;
        int h = rs.size() * (barH + 6) + 40;
        double max = rs.stream().mapToDouble(Result::throughput).max().orElse(1);
        StringBuilder sb = new StringBuilder(String.format(
                Locale.ROOT,
                "<svg width=\"%d\" height=\"%d\" role=\"img\"><text x=\"0\" y=\"14\" font-size=\"13\">"
                        + "Throughput (calls/s)</text>",
                w,
                h));
        int y = 24;
        for (Result r : rs) {
            double len = (w - 200) * r.throughput() / max;
            sb.append(String.format(
                    Locale.ROOT,
                    "<rect x=\"120\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>"
                            + "<text x=\"0\" y=\"%d\" font-size=\"11\">%s</text>"
                            + "<text x=\"%.1f\" y=\"%d\" font-size=\"11\">%.0f</text>",
                    y,
                    len,
                    barH,
                    colour(r, systems),
                    y + 15,
                    esc(r.system()),
                    124 + len,
                    y + 15,
                    r.throughput()));
            y += barH + 6;
        }
        return sb.append("</svg>").toString();
    }

    private static String latencyChart(List<Result> rs, List<String> systems) {
        String[] labels = {"p50", "p90", "p99", "p99.9"};
        int w = 420;
        int h = 240;
        int left = 50;
        int bottom = h - 30;
        long max = 1;
        for (Result r : rs) {
            max = Math.max(max, r.p999Micros() > 0 ? r.p999Micros() : r.p99Micros());
        }
        double logMax = Math.log10(max * 1.2);
        StringBuilder sb = new StringBuilder(String.format(
                Locale.ROOT,
                "<svg width=\"%d\" height=\"%d\" role=\"img\"><text x=\"0\" y=\"14\" font-size=\"13\">"
                        + "Latency percentiles (µs, log scale)</text>",
                w,
                h));
        for (int i = 0; i < labels.length; i++) {
            sb.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>",
                    left + i * 110,
                    h - 10,
                    labels[i]));
        }
        for (int d = 0; d <= (int) Math.ceil(logMax); d++) {
            double y = bottom - (bottom - 24) * d / logMax;
            if (y < 20) {
                break;
            }
            sb.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>"
                            + "<text x=\"0\" y=\"%.1f\" font-size=\"10\">%s</text>",
                    left,
                    w,
                    y,
                    y,
                    y + 3,
                    (long) Math.pow(10, d)));
        }
        for (Result r : rs) {
            long[] v = {r.p50Micros(), r.p90Micros(), r.p99Micros(), r.p999Micros()};
            StringBuilder pts = new StringBuilder();
            for (int i = 0; i < v.length; i++) {
                double y = bottom - (bottom - 24) * Math.log10(Math.max(1, v[i])) / logMax;
                pts.append(left + i * 110 + 10)
                        .append(',')
                        .append(String.format(Locale.ROOT, "%.1f", y))
                        .append(' ');
            }
            sb.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"")
                    .append(colour(r, systems))
                    .append("\" points=\"")
                    .append(pts.toString().trim())
                    .append("\"/>");
        }
        return sb.append("</svg>").toString();
    }

    private static String colour(Result r, List<String> systems) {
        return COLOURS[systems.indexOf(r.system()) % COLOURS.length];
    }
}
