package dev.courier.benchmark;

import dev.courier.mq.broker.Broker;
import dev.courier.mq.broker.EmbeddedBroker;
import dev.courier.mq.client.MqClient;
import dev.courier.mq.client.SubscribeOptions;
import dev.courier.mq.client.Subscriber;
import dev.courier.mq.client.protocol.StartPosition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * {@code bench mq --broker}, as its own process, measures a broker it did not start (one in this JVM):
 * its messages are on that broker's topic, its end-to-end subscription is not, and both phases report
 * throughput without errors.
 */
class MqBrokerBenchTest {

    private static final Pattern THROUGHPUT = Pattern.compile("throughput=(\\d+)");

    @TempDir
    Path dir;

    @Test
    void measuresARunningBrokerWhoseTopicThenHoldsTheMessages() throws Exception {
        try (Broker broker = EmbeddedBroker.start(dir.resolve("data"));
                MqClient reader = MqClient.connect("127.0.0.1:" + broker.port())) {
            String java =
                    Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> command = new ArrayList<>(List.of(
                    java,
                    "-Xmx256m",
                    "-XX:TieredStopAtLevel=1",
                    "-cp",
                    System.getProperty("java.class.path"),
                    BenchMain.class.getName(),
                    "mq",
                    "--broker",
                    "127.0.0.1:" + broker.port(),
                    "--topic",
                    "bench-test",
                    "--warmup",
                    "0",
                    "--duration",
                    "1",
                    "--in-flight",
                    "16",
                    "--e2e-rate",
                    "200"));
            Path out = dir.resolve("bench.txt");
            Process p = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                fail("bench mq --broker did not end within 120 s: " + Files.readString(out));
            }
            String output = Files.readString(out);

            assertThat(p.exitValue()).as(output).isZero();
            List<String> results = output.lines()
                    .filter(l -> l.startsWith("RESULT system=courier-broker "))
                    .toList();
            assertThat(results)
                    .hasSize(4)
                    .allMatch(l -> l.contains("errors=0"))
                    .anyMatch(l -> l.contains("scenario=publish-1024B"))
                    .anyMatch(l -> l.contains("scenario=e2e-1024B"))
                    .anyMatch(l -> l.contains("scenario=keyed-100k-3c-1024B-200ps"))
                    .anyMatch(l -> l.contains("scenario=delayed-0-2000ms-1024B-200ps"));
            for (String line : results) {
                Matcher m = THROUGHPUT.matcher(line);
                assertThat(m.find()).isTrue();
                assertThat(Long.parseLong(m.group(1))).as(line).isPositive();
            }
            // the run took its end-to-end, keyed and delayed subscriptions away again: the broker keeps only the
            // messages
            assertThat(output).doesNotContain("stays on the broker");
            assertThat(reader.admin().topic("bench-test").orElseThrow().subscriptions())
                    .isEmpty();
            // what it published is on the broker it was pointed at
            AtomicLong seen = new AtomicLong();
            Subscriber check = reader.subscribe(
                    "bench-test",
                    "check",
                    SubscribeOptions.defaults().from(StartPosition.EARLIEST),
                    message -> seen.incrementAndGet());
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> seen.get() > 0);
            } finally {
                check.close();
            }
        }
    }
}
