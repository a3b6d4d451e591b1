package dev.courier.spring.boot;

import dev.courier.rpc.AuthenticationException;
import dev.courier.rpc.CourierConfigurationException;
import dev.courier.rpc.RpcException;
import dev.courier.rpc.cert.DevCa;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * courier.server.tls.*, courier.server.auth-tokens, courier.tls.* and courier.token: a provider context
 * that speaks TLS only and authenticates callers, and consumer contexts with and without what it asks.
 */
class CourierSecurityPropertiesTest {

    @TempDir
    static Path certs;

    private static DevCa ca;
    private static DevCa.Issued provider;
    private static DevCa.Issued consumer;
    private static Path tokens;

    private final String registry = "embedded://spring-tls-" + UUID.randomUUID();
    private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();

    @BeforeAll
    static void issue() throws IOException {
        ca = DevCa.init(certs);
        provider = ca.issue("provider");
        consumer = ca.issue("consumer");
        tokens = Files.writeString(certs.resolve("tokens.txt"), "t-shop shop\n");
    }

    private ConfigurableApplicationContext start(Class<?> app, String... properties) {
        List<String> all = new ArrayList<>(List.of("courier.registry=" + registry));
        all.addAll(List.of(properties));
        ConfigurableApplicationContext c = new SpringApplicationBuilder(app)
                .web(WebApplicationType.NONE)
                .bannerMode(Banner.Mode.OFF)
                .properties(all.toArray(new String[0]))
                .run();
        contexts.add(c);
        return c;
    }

    @AfterEach
    void closeAll() {
        contexts.forEach(ConfigurableApplicationContext::close);
    }

    private static String greet(ConfigurableApplicationContext consumerContext) {
        return consumerContext.getBean(GreetingClient.class).hello("Ada");
    }

    @Test
    void aTlsProviderWithTokensServesConsumersThatTrustItsCaAndPresentAToken() {
        start(
                CourierAutoConfigurationTest.ProviderApp.class,
                "courier.server.tls.cert=" + provider.certificate(),
                "courier.server.tls.key=" + provider.privateKey(),
                "courier.server.auth-tokens=" + tokens);

        ConfigurableApplicationContext trusted = start(
                CourierAutoConfigurationTest.ConsumerApp.class,
                "courier.tls.ca=" + ca.certificate(),
                "courier.token=t-shop");
        ConfigurableApplicationContext noToken =
                start(CourierAutoConfigurationTest.ConsumerApp.class, "courier.tls.ca=" + ca.certificate());
        ConfigurableApplicationContext plaintext =
                start(CourierAutoConfigurationTest.ConsumerApp.class, "courier.token=t-shop");

        assertThat(greet(trusted)).isEqualTo("Hello, Ada");
        assertThatThrownBy(() -> greet(noToken))
                .isInstanceOf(AuthenticationException.class)
                .hasMessageContaining("token");
        assertThatThrownBy(() -> greet(plaintext)).isInstanceOf(RpcException.class);
    }

    @Test
    void mutualTlsTakesTheConsumersCertificate() {
        start(
                CourierAutoConfigurationTest.ProviderApp.class,
                "courier.server.tls.cert=" + provider.certificate(),
                "courier.server.tls.key=" + provider.privateKey(),
                "courier.server.tls.ca=" + ca.certificate(),
                "courier.server.tls.client-auth=require");

        ConfigurableApplicationContext withCertificate = start(
                CourierAutoConfigurationTest.ConsumerApp.class,
                "courier.tls.ca=" + ca.certificate(),
                "courier.tls.cert=" + consumer.certificate(),
                "courier.tls.key=" + consumer.privateKey());
        ConfigurableApplicationContext without =
                start(CourierAutoConfigurationTest.ConsumerApp.class, "courier.tls.ca=" + ca.certificate());

        assertThat(greet(withCertificate)).isEqualTo("Hello, Ada");
        assertThatThrownBy(() -> greet(without)).isInstanceOf(RpcException.class);
    }

    @Test
    void incompleteSettingsStopTheContextWithTheReason() {
        assertThatThrownBy(() -> start(
                        CourierAutoConfigurationTest.ProviderApp.class,
                        "courier.server.tls.cert=" + provider.certificate()))
                .hasRootCauseInstanceOf(CourierConfigurationException.class)
                .rootCause()
                .hasMessageContaining("courier.server.tls.cert and courier.server.tls.key go together");
        assertThatThrownBy(() -> start(
                        CourierAutoConfigurationTest.ProviderApp.class,
                        "courier.server.tls.cert=" + provider.certificate(),
                        "courier.server.tls.key=" + provider.privateKey(),
                        "courier.server.tls.client-auth=require"))
                .hasRootCauseInstanceOf(CourierConfigurationException.class)
                .rootCause()
                .hasMessageContaining("ca");
    }
}
