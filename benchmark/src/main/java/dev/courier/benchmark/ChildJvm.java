package dev.courier.benchmark;

import dev.courier.benchmark.report.Result;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one compared system in a fresh JVM with the same heap flags as every other, forwards its
 * progress lines and collects its {@code RESULT} lines.
 */
final class ChildJvm {

    /** The JVM flags every compared system runs with. */
    static final List<String> FLAGS = List.of("-Xms1g", "-Xmx1g", "-XX:+UseG1GC");

    private ChildJvm() {}

    static List<Result> run(String system, List<String> benchArgs) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(FLAGS);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(BenchMain.class.getName());
        cmd.addAll(benchArgs);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<Result> results = new ArrayList<>();
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                var parsed = Result.parse(line);
                if (parsed.isPresent()) {
                    results.add(parsed.get());
                } else if (!line.contains(" INFO ")) {
                    System.out.println(line);
                }
            }
        }
        if (!p.waitFor(1, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException(system + " did not exit");
        }
        if (p.exitValue() != 0 && results.isEmpty()) {
            throw new IllegalStateException(system + " run failed (exit " + p.exitValue() + ")");
        }
        return results;
    }
}
