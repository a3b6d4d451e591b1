package dev.courier.spring.boot;

import dev.courier.registry.Registry;
import dev.courier.registry.ServiceKey;
import dev.courier.rpc.CourierConfigurationException;
import dev.courier.rpc.RpcClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** A provider context and a consumer context, in one JVM over one embedded registry, call across. */
class CourierAutoConfigurationTest {

    private final String registry = "embedded://spring-" + UUID.randomUUID();
    private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(SpringGreeter.class)
    static class ProviderApp {
        @Bean
        SpringGreeter.Salutation salutation() {
            return new SpringGreeter.Salutation("Hello");
        }

        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class ConsumerApp {
        @Bean
        GreetingClient greetingClient() {
            return new GreetingClient();
        }

        /** A reference declared as a bean. */
        @Bean
        Greeter greeterReference(RpcClient client) {
            return client.reference(Greeter.class)
                    .timeout(Duration.ofSeconds(10))
                    .build();
        }
    }

    /** Two beans providing one service key: the context must refuse to start, saying which. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class TwoProvidersApp {
        @Bean
        SpringGreeter first() {
            return new SpringGreeter(new SpringGreeter.Salutation("a"));
        }

        @Bean
        SpringGreeter second() {
            return new SpringGreeter(new SpringGreeter.Salutation("b"));
        }
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

    @Test
    void aProviderContextExportsItsRpcServiceBeansAndAConsumerContextCallsThem() {
        ConfigurableApplicationContext provider = start(ProviderApp.class, "courier.admin.port=0");
        ConfigurableApplicationContext consumer = start(ConsumerApp.class);

        GreetingClient client = consumer.getBean(GreetingClient.class);
        assertThat(client.injectedBeforeInit)
                .as("@RpcReference set before the bean's init method")
                .isTrue();
        assertThat(client.hello("Ada")).isEqualTo("Hello, Ada");
        assertThat(consumer.getBean("greeterReference", Greeter.class).greet("Bob"))
                .isEqualTo("Hello, Bob");
        SpringGreeter greeter = provider.getBean(SpringGreeter.class);
        assertThat(greeter.calls).hasValue(2);

        MeterRegistry meters = provider.getBean(MeterRegistry.class);
        // recorded once each answer is queued, which the consumer may see first
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(meters.get("courier.server.calls")
                                .tag("method", "greet")
                                .tag("outcome", "ok")
                                .timer()
                                .count())
                        .as("the provider's calls in the application's MeterRegistry")
                        .isEqualTo(2));

        CourierServer server = provider.getBean(CourierServer.class);
        assertThat(server.server().adminPort())
                .as("courier.admin.port=0 opened one")
                .isPositive();
        var health = provider.getBean(CourierHealthIndicator.class).health();
        assertThat(health.getStatus()).isEqualTo(Status.UP);
        assertThat(health.getDetails())
                .containsEntry("server", "serving")
                .containsEntry("services", List.of(Greeter.class.getName() + ":1.0:default"));
        server.server().offline();
        assertThat(provider.getBean(CourierHealthIndicator.class).health().getStatus())
                .isEqualTo(Status.OUT_OF_SERVICE);
        server.server().online();

        assertThat(consumer.getBean(CourierServer.class).server())
                .as("no @RpcService bean, no server")
                .isNull();
        assertThat(consumer.getBean(CourierHealthIndicator.class).health().getStatus())
                .isEqualTo(Status.UP);
    }

    @Test
    void closingTheProviderContextDeregistersThenLetsACallInFlightFinish() throws Exception {
        ConfigurableApplicationContext provider = start(ProviderApp.class, "courier.server.drain-timeout=20s");
        ConfigurableApplicationContext consumer = start(ConsumerApp.class);
        Greeter greeter = consumer.getBean("greeterReference", Greeter.class);
        Registry registry = consumer.getBean(Registry.class);
        ServiceKey key = ServiceKey.of(Greeter.class);
        assertThat(registry.list(key).instances()).hasSize(1);

        CompletableFuture<String> slow = CompletableFuture.supplyAsync(() -> greeter.slowGreet("Cy", 1_500));
        SpringGreeter impl = provider.getBean(SpringGreeter.class);
        assertThat(impl.slowStarted.await(10, TimeUnit.SECONDS))
                .as("the slow call reached the provider")
                .isTrue();
        assertThat(provider.getBean(CourierServer.class).server().inFlightCalls())
                .isEqualTo(1);

        assertThat(keepAliveThreads())
                .as("a non-daemon thread keeps a provider without a web server up")
                .hasSize(1);
        provider.close(); // returns once the server has deregistered and drained
        assertThat(slow)
                .as("the call in flight at the close finished before it returned")
                .isDone();
        assertThat(slow.get()).isEqualTo("Hello at last, Cy");
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(registry.list(key).instances()).isEmpty());
        await().atMost(Duration.ofSeconds(10)).until(() -> keepAliveThreads().isEmpty());
    }

    private static List<Thread> keepAliveThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals(CourierServer.KEEP_ALIVE_THREAD) && !t.isDaemon() && t.isAlive())
                .toList();
    }

    @Test
    void twoBeansProvidingOneServiceKeyStopTheContextWithTheReason() {
        assertThatThrownBy(() -> start(TwoProvidersApp.class))
                .hasRootCauseInstanceOf(CourierConfigurationException.class)
                .rootCause()
                .hasMessageContaining("'first'")
                .hasMessageContaining("'second'")
                .hasMessageContaining(Greeter.class.getName());
    }
}
