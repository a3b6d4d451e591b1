package dev.courier.examples.spring.consumer;

import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * A Spring Boot consumer: {@link Greetings} has an {@code @RpcReference} field that the Courier starter
 * fills; once started, it greets the names given as arguments through the provider it finds in the
 * registry of {@code consumer.properties}.
 */
@SpringBootApplication
public class SpringConsumerApplication {

    public static void main(String[] args) {
        start(args).close();
    }

    public static ConfigurableApplicationContext start(String... args) {
        return new SpringApplicationBuilder(SpringConsumerApplication.class)
                .properties("spring.config.name=consumer")
                .run(args);
    }

    @Bean
    ApplicationRunner greetEveryName(Greetings greetings) {
        return args -> args.getNonOptionArgs().forEach(name -> System.out.println(greetings.greet(name)));
    }
}
