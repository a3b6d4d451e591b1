package dev.courier.mq.broker.cli;

import dev.courier.mq.broker.Broker;
import dev.courier.mq.broker.EmbeddedBroker;
import dev.courier.mq.client.MqClient;
import dev.courier.mq.client.protocol.FetchRequest;
import dev.courier.mq.client.protocol.PublishRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code courier mq admin ...} against an embedded broker, in this process. */
class MqAdminCliTest {

    @TempDir
    Path dir;

    private Broker broker;
    private MqClient client;

    @BeforeEach
    void startBroker() {
        broker = EmbeddedBroker.start(dir.resolve("data"));
        client = MqClient.connect("127.0.0.1:" + broker.port());
    }

    @AfterEach
    void stopBroker() {
        client.close();
        broker.close();
    }

    private record Run(int exitCode, String out, String err) {}

    private Run admin(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = new String[args.length + 2];
        all[0] = "admin";
        all[1] = args[0];
        all[2] = "--broker=127.0.0.1:" + broker.port();
        System.arraycopy(args, 1, all, 3, args.length - 1);
        int code = new CommandLine(new MqCli())
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .execute(all);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void createListSeekPurgeAndDeleteFromTheCommandLine() throws Exception {
        Run create = admin("create", "--topic", "orders", "--retention-ms", "60000");
        assertThat(create.exitCode()).as(create.err()).isZero();
        assertThat(create.out()).contains("CREATED topic=orders", "retention_ms=60000");
        assertThat(admin("create", "--topic", "orders").out()).contains("EXISTS topic=orders");

        client.broker()
                .publish(new PublishRequest("orders", 0, 0, List.of("a".getBytes(), "b".getBytes(), "c".getBytes())))
                .get(10, TimeUnit.SECONDS);
        assertThat(client.broker()
                        .fetch(new FetchRequest("orders", "billing", "c1", 10, 10, 0, 30_000))
                        .get(10, TimeUnit.SECONDS)
                        .messages())
                .hasSize(3);

        Run topics = admin("topics");
        assertThat(topics.out())
                .contains("TOPIC name=orders start=0 end=3 ")
                .contains("SUBSCRIPTION topic=orders name=billing lag=3 in_flight=3 consumers=1");

        Run refused = admin("seek", "--topic", "orders", "--subscription", "billing", "--offset", "0");
        assertThat(refused.exitCode()).isEqualTo(MqAdminCli.EXIT_MISSING);
        assertThat(refused.err()).contains("refused:", "consumers are attached");
        client.broker().detach("orders", "billing", "c1");

        Run seek = admin("seek", "--topic", "orders", "--subscription", "billing", "--offset", "2");
        assertThat(seek.out()).contains("SEEK topic=orders subscription=billing offset=2");
        assertThat(admin("seek", "--topic", "orders", "--subscription", "billing", "--time", "2000-01-01T00:00:00Z")
                        .out())
                .as("every message is stored after that time")
                .contains("offset=0");
        assertThat(admin("purge", "--topic", "orders", "--subscription", "billing")
                        .out())
                .contains("PURGED topic=orders subscription=billing messages=3");

        assertThat(admin("describe", "--topic", "orders").out()).contains("name=billing lag=0");
        assertThat(admin("delete", "--topic", "orders", "--subscription", "billing")
                        .out())
                .contains("DELETED topic=orders subscription=billing");
        Run again = admin("delete", "--topic", "orders", "--subscription", "billing");
        assertThat(again.exitCode()).isEqualTo(MqAdminCli.EXIT_MISSING);
        assertThat(again.err()).contains("no such subscription");
        assertThat(admin("delete", "--topic", "orders").out()).contains("DELETED topic=orders");
        assertThat(admin("describe", "--topic", "orders").exitCode()).isEqualTo(MqAdminCli.EXIT_MISSING);
    }

    @Test
    void aBrokerThatDoesNotAnswerIsAFailureWithItsAddressNotAStackTrace() throws Exception {
        // a listener that accepts and never speaks: the client's hello and the call time out
        try (java.net.ServerSocket silent =
                new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            StringWriter err = new StringWriter();
            int code = new CommandLine(new MqCli())
                    .setOut(new PrintWriter(new StringWriter(), true))
                    .setErr(new PrintWriter(err, true))
                    .execute("admin", "topics", "--broker=127.0.0.1:" + silent.getLocalPort());
            assertThat(code).isEqualTo(MqAdminCli.EXIT_MISSING);
            assertThat(err.toString())
                    .startsWith("failed: 127.0.0.1:" + silent.getLocalPort() + ": ")
                    .doesNotContain("\tat ");
        }
    }

    @Test
    void badArgumentsAreUsageErrors() {
        Run both = admin("seek", "--topic", "t", "--subscription", "s", "--offset", "1", "--time", "5");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("mutually exclusive");
        Run badTime = admin("seek", "--topic", "t", "--subscription", "s", "--time", "yesterday");
        assertThat(badTime.exitCode()).isEqualTo(2);
        assertThat(badTime.err()).contains("--time yesterday: not an ISO-8601 instant nor epoch milliseconds");
    }
}
