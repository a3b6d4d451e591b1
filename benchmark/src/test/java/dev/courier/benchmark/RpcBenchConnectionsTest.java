package dev.courier.benchmark;

import dev.courier.benchmark.report.Result;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RpcBenchConnectionsTest {

    @Test
    void manyConnectionsReportWhatEachAddsAndNoThreadPerConnection() {
        int connections = 50;
        BenchRun run = BenchRun.of(
                new RpcBench(),
                "--system",
                "courier-kryo",
                "--connections",
                Integer.toString(connections),
                "--warmup",
                "0",
                "--duration",
                "1",
                "--concurrency",
                "4",
                "--payload",
                "100");
        String printed = run.printed();
        assertThat(run.exit()).as(printed).isZero();
        assertThat(printed).contains("courier-kryo: 50 connections: ");
        Result result = printed.lines()
                .filter(l -> l.startsWith("RESULT "))
                .map(l -> Result.parse(l).orElseThrow())
                .findFirst()
                .orElseThrow();
        assertThat(result.extra()).containsEntry("connections", "50");
        assertThat(Double.parseDouble(result.extra().get("heap_per_connection_kib")))
                .as("a connection's channels, pipelines and state on both ends")
                .isPositive();
        assertThat(Integer.parseInt(result.extra().get("threads_added")))
                .as("connections share the event loops: no thread per connection")
                .isLessThan(connections / 4);
        assertThat(result.errors()).isZero();
    }
}
