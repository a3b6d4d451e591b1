package dev.courier.mq.broker.cli;

import dev.courier.mq.broker.Authorizer.Action;
import dev.courier.mq.broker.Broker;
import dev.courier.rpc.TlsOptions;
import dev.courier.rpc.cert.DevCa;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The broker's TLS, token and topic-rule settings, from flags and the config file, and the mq commands' flags. */
class BrokerSecuritySettingsTest {

    @TempDir
    static Path certs;

    @TempDir
    Path dir;

    static DevCa ca;
    static DevCa.Issued broker;
    static DevCa.Issued shop;

    @BeforeAll
    static void makeCertificates() throws Exception {
        ca = DevCa.init(certs);
        broker = ca.issue("broker");
        shop = ca.issue("shop");
    }

    private static Properties props(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        return p;
    }

    @Test
    void tlsKeysWithAClientCaMeanMutualTlsAndTopicRulesApply() {
        BrokerSettings s = BrokerSettings.resolve(
                dir,
                props(
                        "tls.cert",
                        broker.certificate().toString(),
                        "tls.key",
                        broker.privateKey().toString(),
                        "tls.client.ca",
                        ca.certificate().toString(),
                        "acl.create",
                        "shop",
                        "acl.topic.orders.publish",
                        "shop, ops",
                        "acl.topic.*.consume",
                        "billing"),
                "broker.properties",
                Map.of());

        assertThat(s.security().isSecure()).isTrue();
        assertThat(s.security().tls().clientAuth()).isEqualTo(TlsOptions.ClientAuth.REQUIRE);
        var rules = s.security().authorizer();
        assertThat(rules.allowed("shop", "orders", Action.PUBLISH)).isTrue();
        assertThat(rules.allowed("ops", "orders", Action.PUBLISH)).isTrue();
        assertThat(rules.allowed("billing", "orders", Action.PUBLISH)).isFalse();
        assertThat(rules.allowed("billing", "anything", Action.CONSUME)).isTrue();
        assertThat(rules.allowed("shop", "new", Action.CREATE)).isTrue();
        assertThat(rules.allowed("billing", "new", Action.CREATE)).isFalse();
        assertThat(rules.allowed(null, "orders", Action.CONSUME)).isFalse();
    }

    @Test
    void withoutAclKeysEveryoneMayDoEverything() {
        BrokerSettings s = BrokerSettings.resolve(dir, new Properties(), null, Map.of());
        assertThat(s.security().tls()).isNull();
        assertThat(s.security().authorizer().allowed(null, "orders", Action.CREATE))
                .isTrue();
    }

    @Test
    void aCertificateWithoutItsKeyOrAMissingTokensFileIsAnErrorNamingTheSetting() {
        assertThatThrownBy(() -> BrokerSettings.resolve(
                        dir,
                        new Properties(),
                        null,
                        Map.of(BrokerSettings.TLS_CERT, broker.certificate().toString())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("--tls-cert")
                .hasMessageContaining("--tls-key");
        assertThatThrownBy(() -> BrokerSettings.resolve(
                        dir, props("auth.tokens", dir.resolve("none").toString()), "broker.properties", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("auth.tokens");
        assertThatThrownBy(() -> BrokerSettings.resolve(
                        dir, props("acl.topic.orders.publish", "a b"), "broker.properties", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("acl.topic.orders.publish");
    }

    @Test
    void aFileSettingNoPathCanBeIsAnErrorNamingTheSetting() {
        assertThatThrownBy(() -> BrokerSettings.resolve(
                        dir, props("auth.tokens", "to\u0000kens"), "broker.properties", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("auth.tokens")
                .hasMessageContaining("path");
        assertThatThrownBy(() -> BrokerSettings.resolve(
                        dir,
                        new Properties(),
                        null,
                        Map.of(
                                BrokerSettings.TLS_CERT,
                                broker.certificate().toString(),
                                BrokerSettings.TLS_KEY,
                                "key\u0000.pem")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("--tls-key");
    }

    @Test
    void listeningBeyondLoopbackWithoutTlsAndAuthenticationNeedsInsecure() throws Exception {
        Path data = dir.resolve("data");
        BrokerMain main = new BrokerMain();
        new CommandLine(main).parseArgs("--data-dir", data.toString(), "--host", "0.0.0.0", "--port", "0");
        assertThatThrownBy(main::start).isInstanceOf(ConfigException.class).hasMessageContaining("--insecure");

        BrokerMain tlsOnly = new BrokerMain();
        new CommandLine(tlsOnly)
                .parseArgs(
                        "--data-dir",
                        data.toString(),
                        "--host",
                        "0.0.0.0",
                        "--port",
                        "0",
                        "--tls-cert",
                        broker.certificate().toString(),
                        "--tls-key",
                        broker.privateKey().toString());
        assertThatThrownBy(tlsOnly::start)
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("without authentication");
        assertThat(data).as("nothing started").doesNotExist();
    }

    @Test
    void mqCommandsConnectWithTlsAndTokenFlagsAndReportARefusal() throws Exception {
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, "t-shop shop\n");
        BrokerMain main = new BrokerMain();
        new CommandLine(main)
                .parseArgs(
                        "--data-dir",
                        dir.resolve("data").toString(),
                        "--port",
                        "0",
                        "--tls-cert",
                        broker.certificate().toString(),
                        "--tls-key",
                        broker.privateKey().toString(),
                        "--auth-tokens",
                        tokens.toString());
        try (Broker b = main.start()) {
            String address = "127.0.0.1:" + b.port();
            int ok = new CommandLine(new MqCli())
                    .execute(
                            "publish",
                            "--broker",
                            address,
                            "--topic",
                            "orders",
                            "--count",
                            "3",
                            "--size",
                            "64",
                            "--timeout",
                            "20",
                            "--tls-ca",
                            ca.certificate().toString(),
                            "--token",
                            "t-shop");
            int wrongToken = new CommandLine(new MqCli())
                    .execute(
                            "publish",
                            "--broker",
                            address,
                            "--topic",
                            "orders",
                            "--count",
                            "3",
                            "--timeout",
                            "20",
                            "--tls-ca",
                            ca.certificate().toString(),
                            "--token",
                            "nope");
            int consumeWrongToken = new CommandLine(new MqCli())
                    .execute(
                            "consume",
                            "--broker",
                            address,
                            "--topic",
                            "orders",
                            "--subscription",
                            "s",
                            "--tls-ca",
                            ca.certificate().toString(),
                            "--token",
                            "nope");

            assertThat(ok).isZero();
            assertThat(b.stats("orders", "s")).isNull();
            assertThat(wrongToken).isEqualTo(MqCli.EXIT_REFUSED);
            assertThat(consumeWrongToken).isEqualTo(MqCli.EXIT_REFUSED);
        }
    }
}
