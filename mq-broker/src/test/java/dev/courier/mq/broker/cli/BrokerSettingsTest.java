package dev.courier.mq.broker.cli;

import dev.courier.mq.broker.BrokerConfig;
import dev.courier.mq.broker.storage.FsyncPolicy;
import dev.courier.mq.broker.storage.LogConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How flags, the config file and defaults become the broker's settings. */
class BrokerSettingsTest {

    @TempDir
    Path dir;

    private static Properties props(String... keysAndValues) {
        Properties p = new Properties();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            p.setProperty(keysAndValues[i], keysAndValues[i + 1]);
        }
        return p;
    }

    private BrokerSettings resolve(Properties file) {
        return BrokerSettings.resolve(dir, file, "broker.properties", Map.of());
    }

    /** Parses {@code args} as the command line does and resolves them with the config file, if any. */
    private BrokerSettings fromCommandLine(String... args) throws Exception {
        BrokerMain main = new BrokerMain();
        new CommandLine(main).parseArgs(args);
        return main.settings();
    }

    @Test
    void withoutFileOrFlagsEverySettingHasItsDefault() {
        BrokerSettings s = resolve(new Properties());
        assertThat(s.port()).isEqualTo(7400);
        assertThat(s.host()).isEqualTo("127.0.0.1");
        assertThat(s.security().isSecure()).isFalse();
        BrokerConfig c = s.config();
        assertThat(c.dataDir()).isEqualTo(dir);
        assertThat(c.log()).isEqualTo(LogConfig.defaults());
        assertThat(c.topicLogs()).isEmpty();
        assertThat(c.maxDeliveries()).isEqualTo(16);
        assertThat(c.sessionTimeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(c.limits()).isEqualTo(BrokerConfig.Limits.defaults());
    }

    @Test
    void everyKeyOfTheFileIsApplied() {
        BrokerSettings s = resolve(props(
                "port",
                "7500",
                "host",
                "127.0.0.1",
                "fsync",
                "always",
                "segment.bytes",
                "4096",
                "max.deliveries",
                "5",
                "retention.bytes",
                "1000000",
                "retention.ms",
                "86400000",
                "session.timeout.ms",
                "2500",
                "max.topics",
                "50",
                "max.topics.per.principal",
                "5",
                "max.subscriptions.per.principal",
                "7",
                "topic.orders.retention.ms",
                "3600000",
                "topic.audit.retention.bytes",
                "-1",
                "topic.audit.retention.ms",
                "-1"));
        assertThat(s.port()).isEqualTo(7500);
        assertThat(s.host()).isEqualTo("127.0.0.1");
        BrokerConfig c = s.config();
        assertThat(c.log().fsync()).isEqualTo(FsyncPolicy.ALWAYS);
        assertThat(c.log().segmentBytes()).isEqualTo(4096);
        assertThat(c.log().retentionBytes()).isEqualTo(1_000_000);
        assertThat(c.log().retentionMillis()).isEqualTo(86_400_000);
        assertThat(c.maxDeliveries()).isEqualTo(5);
        assertThat(c.sessionTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(c.limits()).isEqualTo(new BrokerConfig.Limits(50, 5, 7));

        // a topic's own limit replaces only that limit; the rest comes from the broker-wide settings
        LogConfig orders = c.logFor("orders");
        assertThat(orders.retentionMillis()).isEqualTo(3_600_000);
        assertThat(orders.retentionBytes()).isEqualTo(1_000_000);
        assertThat(orders.segmentBytes()).isEqualTo(4096);
        assertThat(orders.fsync()).isEqualTo(FsyncPolicy.ALWAYS);
        LogConfig audit = c.logFor("audit");
        assertThat(audit.retentionBytes()).isEqualTo(-1);
        assertThat(audit.retentionMillis()).isEqualTo(-1);
        assertThat(c.logFor("payments")).isSameAs(c.log());
    }

    @Test
    void aTopicNameMayContainDotsAsDeadLetterTopicsDo() {
        BrokerConfig c =
                resolve(props("topic.orders.billing.dlq.retention.ms", "60000")).config();
        assertThat(c.topicLogs()).containsOnlyKeys("orders.billing.dlq");
        assertThat(c.logFor("orders.billing.dlq").retentionMillis()).isEqualTo(60_000);
    }

    @Test
    void valuesAreTrimmedAndFsyncIsCaseInsensitive() {
        BrokerSettings s = resolve(props("fsync", " Never ", "port", "7401 "));
        assertThat(s.config().log().fsync()).isEqualTo(FsyncPolicy.NEVER);
        assertThat(s.port()).isEqualTo(7401);
    }

    @Test
    void flagsWinOverTheFileAndTheFileOverDefaults() throws Exception {
        Path file = dir.resolve("broker.properties");
        Files.writeString(
                file,
                String.join(
                        "\n",
                        "port=7500",
                        "host=127.0.0.1",
                        "fsync=always",
                        "segment.bytes=4096",
                        "max.deliveries=5",
                        "retention.bytes=1000",
                        "retention.ms=2000",
                        "session.timeout.ms=3000",
                        "topic.orders.retention.ms=4000"));
        BrokerSettings s = fromCommandLine(
                "--data-dir",
                dir.toString(),
                "--config",
                file.toString(),
                "--port",
                "0",
                "--host",
                "localhost",
                "--fsync",
                "never",
                "--segment-bytes",
                "8192",
                "--max-deliveries",
                "7",
                "--retention-bytes",
                "-1",
                "--retention-ms",
                "5000",
                "--session-timeout-ms",
                "6000");
        assertThat(s.port()).isZero();
        assertThat(s.host()).isEqualTo("localhost");
        BrokerConfig c = s.config();
        assertThat(c.log().fsync()).isEqualTo(FsyncPolicy.NEVER);
        assertThat(c.log().segmentBytes()).isEqualTo(8192);
        assertThat(c.log().retentionBytes()).isEqualTo(-1);
        assertThat(c.log().retentionMillis()).isEqualTo(5000);
        assertThat(c.maxDeliveries()).isEqualTo(7);
        assertThat(c.sessionTimeout()).isEqualTo(Duration.ofMillis(6000));
        // the topic's own limit stays its own; its other settings follow the flags
        assertThat(c.logFor("orders").retentionMillis()).isEqualTo(4000);
        assertThat(c.logFor("orders").segmentBytes()).isEqualTo(8192);

        BrokerSettings fileOnly =
                fromCommandLine("--data-dir", dir.toString(), "--config", file.toString(), "--max-deliveries", "9");
        assertThat(fileOnly.port()).isEqualTo(7500);
        assertThat(fileOnly.host()).isEqualTo("127.0.0.1");
        assertThat(fileOnly.config().log().fsync()).isEqualTo(FsyncPolicy.ALWAYS);
        assertThat(fileOnly.config().maxDeliveries()).isEqualTo(9);
    }

    @ParameterizedTest
    @CsvSource({
        "segment.byte",
        "max.delivery",
        "retention",
        "topic.orders.segment.bytes",
        "topic..retention.ms",
        "topic.retention.ms",
        "Port",
        "acl.topic.orders.read",
        "acl.creat",
        "acl.topic..publish",
        "tls.ca"
    })
    void anUnknownKeyIsAnErrorNamingIt(String key) {
        assertThatThrownBy(() -> resolve(props("port", "7400", key, "1")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("broker.properties")
                .hasMessageContaining("unknown key '" + key + "'");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "port|70000",
                "port|-1",
                "port|seventy",
                "host|''",
                "fsync|sometimes",
                "segment.bytes|100",
                "segment.bytes|64MiB",
                "max.deliveries|0",
                "max.deliveries|3000000000",
                "retention.bytes|-2",
                "retention.ms|1h",
                "session.timeout.ms|0",
                "topic.orders.retention.ms|soon",
                "topic.orders.retention.bytes|-5",
                "max.topics|0",
                "max.topics.per.principal|many",
                "max.subscriptions.per.principal|-1"
            })
    void aBadValueIsAnErrorNamingKeyAndValue(String key, String value) {
        assertThatThrownBy(() -> resolve(props(key, value)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("key '" + key + "'")
                .hasMessageContaining("bad value '" + value + "'");
    }

    @Test
    void aBadTopicNameInAKeyIsAnErrorNamingTheKey() {
        assertThatThrownBy(() -> resolve(props("topic.a/b.retention.ms", "1000")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("key 'topic.a/b.retention.ms'")
                .hasMessageContaining("Invalid topic name 'a/b'");
    }

    @Test
    void aBadFlagValueIsAnErrorNamingTheFlag() {
        assertThatThrownBy(() -> fromCommandLine("--data-dir", dir.toString(), "--segment-bytes", "100"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("flag --segment-bytes")
                .hasMessageContaining("bad value '100'");
        assertThatThrownBy(() -> fromCommandLine("--data-dir", dir.toString(), "--fsync", "sometimes"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("flag --fsync")
                .hasMessageContaining("always | group | never");
    }

    @Test
    void aMissingConfigFileIsAnErrorNamingIt() {
        Path missing = dir.resolve("nope.properties");
        assertThatThrownBy(() -> fromCommandLine("--data-dir", dir.toString(), "--config", missing.toString()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(missing.toString());
    }
}
