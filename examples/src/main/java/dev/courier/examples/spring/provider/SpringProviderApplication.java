package dev.courier.examples.spring.provider;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A Spring Boot provider: {@link SpringGreeterService} is a Spring bean with {@code @RpcService}, and
 * the Courier starter exports it. Settings in {@code provider.properties} ({@code courier.registry},
 * {@code courier.server.port}, ...), overridable from the command line as usual:
 * {@code --courier.registry=zookeeper://127.0.0.1:2181}.
 */
@SpringBootApplication
public class SpringProviderApplication {

    public static void main(String[] args) {
        start(args);
    }

    /** Starts the provider; the context's close deregisters it and drains its calls. */
    public static ConfigurableApplicationContext start(String... args) {
        return new SpringApplicationBuilder(SpringProviderApplication.class)
                .properties("spring.config.name=provider")
                .run(args);
    }
}
