package dev.courier.benchmark.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ResultTest {

    private static Result result(String system, String scenario, double throughput) {
        return new Result(system, scenario, 100, 16, throughput, 50, 80, 120, 300, 900, 0, 1.5);
    }

    @Test
    void resultLineHasExactlyTheDocumentedFields() {
        assertThat(result("courier-kryo", "echo-100B-c16", 12345.6).line())
                .isEqualTo(
                        "RESULT system=courier-kryo scenario=echo-100B-c16 payload=100 concurrency=16 throughput=12346"
                                + " p50_us=50 p99_us=120 errors=0");
    }

    @Test
    void fullLineParsesBackToTheSameResult() {
        Result r = result("grpc-direct", "echo-4096B-c1", 9000);
        Result parsed = Result.parse(r.fullLine()).orElseThrow();
        assertThat(parsed).isEqualTo(r);
        assertThat(Result.parse("  [x] 3s 900 calls/s")).isEmpty();
    }

    @Test
    void extraFiguresFollowTheStandardFieldsAndParseBack() {
        Result r = result("courier", "publish-1024B-topics-1000", 40_000)
                .with(java.util.Map.of("topics", "1000"))
                .with(java.util.Map.of("threads", "31"));
        assertThat(r.line())
                .isEqualTo("RESULT system=courier scenario=publish-1024B-topics-1000 payload=100 concurrency=16"
                        + " throughput=40000 p50_us=50 p99_us=120 errors=0 topics=1000 threads=31");
        Result parsed = Result.parse(r.fullLine()).orElseThrow();
        assertThat(parsed).isEqualTo(r);
        assertThat(parsed.extra())
                .containsExactly(java.util.Map.entry("topics", "1000"), java.util.Map.entry("threads", "31"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> r.with(java.util.Map.of("errors", "3")))
                .as("a standard field is not an extra")
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> r.with(java.util.Map.of("note", "two words")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ratioIsCourierBestOverBestPeerPerScenario() {
        List<Result> results = List.of(
                result("courier-kryo", "a", 300),
                result("courier-protostuff", "a", 450),
                result("grpc-direct", "a", 200),
                result("dubbo-hessian2", "a", 300),
                result("courier-kryo", "b", 100),
                result("grpc-direct", "b", 400),
                result("courier-kryo", "only-courier", 100));

        assertThat(Result.ratios(results))
                .containsExactly(
                        "RATIO scenario=a courier_vs_best_peer=1.50 best_peer=dubbo-hessian2",
                        "RATIO scenario=b courier_vs_best_peer=0.25 best_peer=grpc-direct");
    }

    @Test
    void limitLinesAreCourierBestOverEachBaselineWhichIsNoPeer() {
        List<Result> results = List.of(
                result("courier", "publish-1024B", 60_000),
                result("disk-limit", "publish-1024B", 150_000),
                result("courier-kryo", "echo", 300),
                result("courier-kryo-ioexec", "echo", 360),
                result("netty-raw", "echo", 400),
                result("grpc-direct", "echo", 240),
                result("courier", "no-baseline", 10));

        assertThat(Result.limits(results))
                .containsExactly(
                        "LIMIT scenario=publish-1024B courier_vs_limit=0.40",
                        "LIMIT scenario=echo courier_vs_limit=0.90");
        // the baselines are left out of the peers: grpc-direct stays the best peer at 240, below netty-raw's 400
        assertThat(Result.ratios(results))
                .containsExactly("RATIO scenario=echo courier_vs_best_peer=1.50 best_peer=grpc-direct");
    }

    @Test
    void reportWritesJsonAndAnHtmlPageWithACharPerScenario(@TempDir Path dir) throws Exception {
        HtmlReport.write(
                dir,
                "t",
                List.of(
                        result("courier-kryo", "a", 300),
                        result("grpc-direct", "a", 200),
                        result("courier-kryo", "b", 100)));

        String json = Files.readString(dir.resolve("results.json"));
        assertThat(json).contains("\"system\": \"grpc-direct\"").contains("\"throughput\": 300.0");
        String html = Files.readString(dir.resolve("index.html"));
        assertThat(html.split("<svg", -1)).hasSize(1 + 2 * 2);
        assertThat(html).contains("<h2>a</h2>").contains("<h2>b</h2>").contains("polyline");
    }

    @Test
    void aLatencyOnlyFigureGetsNoThroughputChartAndARateOnlyOneNoLatencyChart(@TempDir Path dir) throws Exception {
        HtmlReport.write(
                dir,
                "t",
                List.of(
                        new Result(
                                "courier-raft-registry",
                                "failover",
                                0,
                                1,
                                0,
                                900_000,
                                1_000_000,
                                1_100_000,
                                1_200_000,
                                1_300_000,
                                0,
                                0),
                        new Result("courier-raft-registry", "ids_snowflake", 0, 1, 3_750_000, 0, 0, 0, 0, 0, 0, 0)));

        String html = Files.readString(dir.resolve("index.html"));
        String failover = html.substring(html.indexOf("<h2>failover</h2>"), html.indexOf("<h2>ids_snowflake</h2>"));
        String ids = html.substring(html.indexOf("<h2>ids_snowflake</h2>"));
        assertThat(failover)
                .contains("Latency percentiles")
                .doesNotContain("Throughput")
                .contains("<td>1100000</td>");
        assertThat(ids)
                .contains("Throughput")
                .doesNotContain("Latency percentiles")
                .contains("<td>3750000</td>");
        assertThat(html).doesNotContain("NaN");
    }
}
