package dev.courier.benchmark;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

class RpcBenchInterleaveTest {

    @Test
    void thePairLineIsTheGeometricMeanOfTheRoundsWithTheirRange() {
        assertThat(RpcBench.pairLine("echo-100B-c1", "b", "a", new double[] {0.5, 2.0, 1.0}))
                .isEqualTo("PAIR scenario=echo-100B-c1 system=b base=a ratio=1.000 min=0.500 max=2.000 rounds=3");
        assertThat(RpcBench.pairLine("s", "b", "a", new double[] {0.9, 0.9})).contains("ratio=0.900 ");
    }

    @Test
    void twoSystemsInOneJvmGiveOnePairLinePerScenario() {
        BenchRun run = BenchRun.of(
                new RpcBench(),
                "--system",
                "netty-raw,courier-kryo",
                "--interleave",
                "2",
                "--warmup",
                "1",
                "--duration",
                "2",
                "--concurrency",
                "1",
                "--payload",
                "100");
        String printed = run.printed();
        assertThat(run.exit()).as(printed).isZero();
        assertThat(printed)
                .contains("   round 1: netty-raw ")
                .contains("   round 2: netty-raw ")
                .containsPattern("PAIR scenario=echo-100B-c1 system=courier-kryo base=netty-raw ratio=\\d\\.\\d{3} "
                        + "min=\\d\\.\\d{3} max=\\d\\.\\d{3} rounds=2");
    }

    @Test
    void oneSystemIsRefused() {
        assertThat(new CommandLine(new RpcBench()).execute("--system", "netty-raw", "--interleave", "2"))
                .isEqualTo(2);
    }
}
