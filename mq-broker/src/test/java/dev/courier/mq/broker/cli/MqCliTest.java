package dev.courier.mq.broker.cli;

import dev.courier.mq.broker.Broker;
import dev.courier.mq.broker.EmbeddedBroker;
import dev.courier.mq.client.Message;
import dev.courier.mq.client.MqClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code courier mq publish} and {@code courier mq consume} against an embedded broker, in this process. */
class MqCliTest {

    @TempDir
    Path dir;

    private Broker broker;

    @BeforeEach
    void startBroker() {
        broker = EmbeddedBroker.start(dir.resolve("data"));
    }

    @AfterEach
    void stopBroker() {
        broker.close();
    }

    /** Exit code and standard output of {@code mq args...}. */
    private record Run(int exitCode, String out) {}

    private static Run mq(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            int code = new CommandLine(new MqCli()).execute(args);
            return new Run(code, bytes.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(original);
        }
    }

    private String address() {
        return "127.0.0.1:" + broker.port();
    }

    @Test
    void publishedIdsAreExactlyTheConsumedOnesAndTheConsumerAcksThem() throws Exception {
        Path acked = dir.resolve("acked.txt");
        Path got = dir.resolve("got.txt");

        Run publish = mq(
                "publish",
                "--broker",
                address(),
                "--topic",
                "orders",
                "--count",
                "500",
                "--size",
                "200",
                "--ids-out",
                acked.toString());
        assertThat(publish.exitCode()).as(publish.out()).isZero();
        assertThat(publish.out()).contains("published 500/500 acknowledged (0 failed)");
        List<String> ackedIds = Files.readAllLines(acked);
        assertThat(ackedIds).hasSize(500).doesNotHaveDuplicates();

        Run consume = mq(
                "consume",
                "--broker",
                address(),
                "--topic",
                "orders",
                "--subscription",
                "billing",
                "--count",
                "500",
                "--ids-out",
                got.toString());
        assertThat(consume.exitCode()).as(consume.out()).isZero();
        assertThat(consume.out()).contains("consumed 500 messages; end-to-end latency p50");
        assertThat(new HashSet<>(Files.readAllLines(got))).isEqualTo(new HashSet<>(ackedIds));
        // published in send order, consumed in offset order: the id files agree line by line
        assertThat(Files.readAllLines(got)).containsExactlyElementsOf(sortedBySequence(ackedIds));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> broker.stats("orders", "billing").ackFloor() == 500);
        assertThat(Files.size(dir.resolve("data")
                        .resolve("topics")
                        .resolve("orders")
                        .resolve(firstSegment(
                                dir.resolve("data").resolve("topics").resolve("orders")))))
                .isGreaterThan(500L * 200);
    }

    @Test
    void publishSetsKeysHeadersAndATimeToLive() throws Exception {
        Run publish = mq(
                "publish",
                "--broker",
                address(),
                "--topic",
                "orders",
                "--count",
                "4",
                "--key",
                "user-{n}",
                "--keys",
                "3",
                "--header",
                "region=eu",
                "--header",
                "kind=test",
                "--ttl",
                "600000");
        assertThat(publish.exitCode()).as(publish.out()).isZero();

        List<Message> got = new CopyOnWriteArrayList<>();
        try (MqClient client = MqClient.connect(address())) {
            client.subscribe("orders", "check", got::add);
            await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 4);
        }
        assertThat(got).extracting(Message::key).containsExactly("user-0", "user-1", "user-2", "user-0");
        assertThat(got)
                .allSatisfy(m ->
                        assertThat(m.headers()).containsExactly(Map.entry("region", "eu"), Map.entry("kind", "test")));
    }

    @Test
    void consumeWithAKeyFilterTakesOnlyTheMatchingKeys() throws Exception {
        Path got = dir.resolve("got.txt");
        assertThat(mq("publish", "--broker", address(), "--topic", "t", "--count", "6", "--key", "k.{n}", "--keys", "3")
                        .exitCode())
                .isZero();

        Run consume = mq(
                "consume",
                "--broker",
                address(),
                "--topic",
                "t",
                "--subscription",
                "only-k1",
                "--key-filter",
                "k.1",
                "--count",
                "2",
                "--ids-out",
                got.toString());

        assertThat(consume.exitCode()).as(consume.out()).isZero();
        assertThat(Files.readAllLines(got))
                .hasSize(2)
                .allSatisfy(id -> assertThat(id).matches(".*-[14]"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> broker.stats("t", "only-k1").backlog() == 0);
        Run other = mq(
                "consume",
                "--broker",
                address(),
                "--topic",
                "t",
                "--subscription",
                "only-k1",
                "--key-filter",
                "k.2",
                "--count",
                "1");
        assertThat(other.exitCode())
                .as("the subscription exists with another filter")
                .isEqualTo(1);
    }

    @Test
    void publishWithADelayIsAcknowledgedAtOnceAndDeliveredLater() throws Exception {
        long sent = System.currentTimeMillis();
        Run publish = mq("publish", "--broker", address(), "--topic", "later", "--count", "2", "--delay", "1500");
        assertThat(publish.exitCode()).as(publish.out()).isZero();
        assertThat(publish.out()).contains("published 2/2 acknowledged");

        List<Message> got = new CopyOnWriteArrayList<>();
        try (MqClient client = MqClient.connect(address())) {
            client.subscribe("later", "check", got::add);
            await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 2);
        }
        assertThat(got).allSatisfy(m -> assertThat(m.storedAt()).isGreaterThanOrEqualTo(sent + 1500));
    }

    @Test
    void publishWithAHeaderOnlyTheBrokerMayWriteSendsNothingAndFails() {
        Run publish = mq(
                "publish", "--broker", address(), "--topic", "orders", "--count", "3", "--header", "courier.failure=x");

        assertThat(publish.exitCode()).isEqualTo(1);
        assertThat(publish.out()).contains("published 0/3 acknowledged (3 failed)");
        assertThat(Files.exists(dir.resolve("data").resolve("topics").resolve("orders")))
                .as("nothing reached the broker")
                .isFalse();
    }

    @Test
    void consumeFromLatestSkipsWhatWasPublishedAndIdleExitEndsIt() throws Exception {
        assertThat(mq("publish", "--broker", address(), "--topic", "t", "--count", "20")
                        .exitCode())
                .isZero();
        Path got = dir.resolve("got.txt");

        Run consume = mq(
                "consume",
                "--broker",
                address(),
                "--topic",
                "t",
                "--subscription",
                "late",
                "--from",
                "latest",
                "--idle-exit",
                "1",
                "--ids-out",
                got.toString());

        assertThat(consume.exitCode()).isZero();
        assertThat(consume.out()).contains("consumed 0 messages");
        assertThat(Files.readAllLines(got)).isEmpty();
        assertThat(broker.stats("t", "late").endOffset()).isEqualTo(20);
    }

    @Test
    void publishToABrokerThatIsNotThereFailsWithExitCode1AfterItsTimeout() throws Exception {
        // a socket bound but not listening: connections to it are refused, and the port stays ours
        try (Socket bound = new Socket()) {
            bound.bind(new InetSocketAddress("127.0.0.1", 0));
            Path acked = dir.resolve("acked.txt");

            Run publish = mq(
                    "publish",
                    "--broker",
                    "127.0.0.1:" + bound.getLocalPort(),
                    "--topic",
                    "t",
                    "--count",
                    "5",
                    "--timeout",
                    "1",
                    "--ids-out",
                    acked.toString());

            assertThat(publish.exitCode()).isEqualTo(1);
            assertThat(publish.out()).contains("published 0/5 acknowledged (5 failed)");
            assertThat(Files.readAllLines(acked)).isEmpty();
        }
    }

    /** Ids are {@code <run>-<i>}: the order they were sent in. */
    private static List<String> sortedBySequence(List<String> ids) {
        return ids.stream()
                .sorted(java.util.Comparator.comparingInt(
                        id -> Integer.parseInt(id.substring(id.lastIndexOf('-') + 1))))
                .toList();
    }

    private static String firstSegment(Path topicDir) throws java.io.IOException {
        try (java.util.stream.Stream<Path> s = Files.list(topicDir)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".log"))
                    .sorted()
                    .findFirst()
                    .orElseThrow();
        }
    }
}
