package dev.courier.benchmark.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One measured configuration, printed as a machine-readable line:
 * {@code RESULT system=<name> scenario=<name> payload=<bytes> concurrency=<n> throughput=<per second>
 * p50_us=<n> p99_us=<n> errors=<n>}, with extra percentiles in the JSON report, and then a scenario's own
 * figures ({@link #extra}, for example {@code topics=1000 threads=31}) as further {@code name=value} fields.
 */
public record Result(
        String system,
        String scenario,
        int payload,
        int concurrency,
        double throughput,
        long p50Micros,
        long p90Micros,
        long p99Micros,
        long p999Micros,
        long maxMicros,
        long errors,
        double cpuCores,
        Map<String, String> extra) {

    private static final Pattern FIELD = Pattern.compile("(\\w+)=(\\S+)");

    /** The fields every line has; any other field parsed is an {@link #extra}. */
    private static final Set<String> STANDARD = Set.of(
            "system",
            "scenario",
            "payload",
            "concurrency",
            "throughput",
            "p50_us",
            "p90_us",
            "p99_us",
            "p999_us",
            "max_us",
            "errors",
            "cpu_cores");

    public Result {
        extra = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(extra));
        for (var e : extra.entrySet()) {
            if (STANDARD.contains(e.getKey())
                    || !e.getKey().matches("\\w+")
                    || !e.getValue().matches("\\S+")) {
                throw new IllegalArgumentException("not an extra field: " + e.getKey() + "=" + e.getValue());
            }
        }
    }

    /** A result with no extra figures. */
    public Result(
            String system,
            String scenario,
            int payload,
            int concurrency,
            double throughput,
            long p50Micros,
            long p90Micros,
            long p99Micros,
            long p999Micros,
            long maxMicros,
            long errors,
            double cpuCores) {
        this(
                system,
                scenario,
                payload,
                concurrency,
                throughput,
                p50Micros,
                p90Micros,
                p99Micros,
                p999Micros,
                maxMicros,
                errors,
                cpuCores,
                Map.of());
    }

    /** This result with {@code more} figures added to its {@link #extra}. */
    public Result with(Map<String, String> more) {
        Map<String, String> all = new LinkedHashMap<>(extra);
        all.putAll(more);
        return new Result(
                system,
                scenario,
                payload,
                concurrency,
                throughput,
                p50Micros,
                p90Micros,
                p99Micros,
                p999Micros,
                maxMicros,
                errors,
                cpuCores,
                all);
    }

    private String extraFields() {
        StringBuilder b = new StringBuilder();
        extra.forEach((k, v) -> b.append(' ').append(k).append('=').append(v));
        return b.toString();
    }

    /** The line the scripts read. */
    public String line() {
        return standardFields() + extraFields();
    }

    private String standardFields() {
        return String.format(
                java.util.Locale.ROOT,
                "RESULT system=%s scenario=%s payload=%d concurrency=%d "
                        + "throughput=%.0f p50_us=%d p99_us=%d errors=%d",
                system,
                scenario,
                payload,
                concurrency,
                throughput,
                p50Micros,
                p99Micros,
                errors);
    }

    /** The same plus the extra figures, for passing results between processes. */
    public String fullLine() {
        return standardFields()
                + String.format(
                        java.util.Locale.ROOT,
                        " p90_us=%d p999_us=%d max_us=%d cpu_cores=%.2f",
                        p90Micros,
                        p999Micros,
                        maxMicros,
                        cpuCores)
                + extraFields();
    }

    /** Parses a line written by {@link #fullLine()} or {@link #line()}; empty if it is not one. */
    public static Optional<Result> parse(String line) {
        if (!line.startsWith("RESULT ")) {
            return Optional.empty();
        }
        Map<String, String> f = new LinkedHashMap<>();
        Matcher m = FIELD.matcher(line);
        while (m.find()) {
            f.put(m.group(1), m.group(2));
        }
        return Optional.of(new Result(
                f.get("system"),
                f.get("scenario"),
                Integer.parseInt(f.get("payload")),
                Integer.parseInt(f.get("concurrency")),
                Double.parseDouble(f.get("throughput")),
                Long.parseLong(f.get("p50_us")),
                Long.parseLong(f.getOrDefault("p90_us", "0")),
                Long.parseLong(f.get("p99_us")),
                Long.parseLong(f.getOrDefault("p999_us", "0")),
                Long.parseLong(f.getOrDefault("max_us", "0")),
                Long.parseLong(f.get("errors")),
                Double.parseDouble(f.getOrDefault("cpu_cores", "0")),
                extra(f)));
    }

    private static Map<String, String> extra(Map<String, String> fields) {
        Map<String, String> extra = new LinkedHashMap<>(fields);
        extra.keySet().removeAll(STANDARD);
        return extra;
    }

    /**
     * The baselines that are physical limits, not peers: {@code disk-limit} (the raw disk, for the broker) and
     * {@code netty-raw} (Courier's frames over bare Netty, for RPC). Left out of {@link #ratios}; each gets
     * {@link #limits} lines instead.
     */
    public static final Set<String> LIMIT_SYSTEMS = Set.of("disk-limit", "netty-raw");

    /**
     * One {@code LIMIT scenario=<name> courier_vs_limit=<x.xx>} line per scenario that has a limit baseline
     * and a Courier result: the throughput of Courier's best variant over the baseline's.
     */
    public static List<String> limits(List<Result> results) {
        List<String> lines = new ArrayList<>();
        for (Result limit : results) {
            if (!LIMIT_SYSTEMS.contains(limit.system())) {
                continue;
            }
            results.stream()
                    .filter(r ->
                            r.system().startsWith("courier") && r.scenario().equals(limit.scenario()))
                    .max(Comparator.comparingDouble(Result::throughput))
                    .ifPresent(c -> lines.add(String.format(
                            java.util.Locale.ROOT,
                            "LIMIT scenario=%s courier_vs_limit=%.2f",
                            limit.scenario(),
                            c.throughput() / limit.throughput())));
        }
        return lines;
    }

    /**
     * One {@code RATIO scenario=<name> courier_vs_best_peer=<x.xx> best_peer=<name>} line per scenario:
     * the throughput of Courier's best variant over the best peer's.
     */
    public static List<String> ratios(List<Result> results) {
        Map<String, Result[]> best = new LinkedHashMap<>();
        for (Result r : results) {
            if (LIMIT_SYSTEMS.contains(r.system())) {
                continue;
            }
            Result[] pair = best.computeIfAbsent(r.scenario(), k -> new Result[2]);
            int i = r.system().startsWith("courier") ? 0 : 1;
            if (pair[i] == null || r.throughput() > pair[i].throughput()) {
                pair[i] = r;
            }
        }
        return best.entrySet().stream()
                .filter(e -> e.getValue()[0] != null && e.getValue()[1] != null)
                .map(e -> String.format(
                        java.util.Locale.ROOT,
                        "RATIO scenario=%s courier_vs_best_peer=%.2f best_peer=%s",
                        e.getKey(),
                        e.getValue()[0].throughput() / e.getValue()[1].throughput(),
                        e.getValue()[1].system()))
                .toList();
    }
}
