package dev.courier.examples.spring;

import dev.courier.examples.spring.consumer.Greetings;
import dev.courier.examples.spring.consumer.SpringConsumerApplication;
import dev.courier.examples.spring.provider.SpringProviderApplication;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The two Spring Boot example applications, started as their main methods do, call across a registry. */
class SpringExamplesTest {

    @Test
    void theConsumerApplicationGreetsThroughTheProviderApplication() {
        String registry = "--courier.registry=embedded://spring-examples-" + UUID.randomUUID();
        try (ConfigurableApplicationContext provider =
                        SpringProviderApplication.start(registry, "--greeter.origin=p1");
                ConfigurableApplicationContext consumer = SpringConsumerApplication.start(registry)) {
            assertThat(consumer.getBean(Greetings.class).greet("Ada")).isEqualTo("Hello, Ada! (from p1)");
            assertThat(provider.getBean(dev.courier.examples.spring.provider.SpringGreeterService.class)
                            .lastGreeting()
                            .text())
                    .isEqualTo("Hello, Ada!");
        }
    }
}
