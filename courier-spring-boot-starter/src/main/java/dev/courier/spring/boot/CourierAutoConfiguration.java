package dev.courier.spring.boot;

import dev.courier.registry.CachingRegistry;
import dev.courier.registry.Registries;
import dev.courier.registry.Registry;
import dev.courier.rpc.CourierConfigurationException;
import dev.courier.rpc.RpcClient;
import dev.courier.rpc.TlsOptions;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.nio.file.Path;
import java.util.List;

/**
 * Courier in a Spring Boot application, from {@code courier.*} ({@link CourierProperties}):
 *
 * <ul>
 *   <li>a {@link Registry} connected to {@code courier.registry} and an {@link RpcClient} over it, both
 *       beans an application may replace;</li>
 *   <li>{@link RpcReferenceInjector}: every bean's {@code @RpcReference} fields get proxies before its
 *       init methods run; a reference can also be a bean of its own
 *       ({@code client.reference(Greeter.class).build()});</li>
 *   <li>{@link CourierServer}: the {@code @RpcService} beans (Spring creates them, so constructor
 *       injection works) exported on one server once the context has started, registered; on shutdown
 *       deregistered and drained before the context closes its beans;</li>
 *   <li>the application's {@link MeterRegistry}, when it has one, gets Courier's client and server
 *       meters; with Actuator, a {@code courier} health indicator.</li>
 * </ul>
 */
@AutoConfiguration
@EnableConfigurationProperties(CourierProperties.class)
public class CourierAutoConfiguration {

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public Registry courierRegistry(CourierProperties properties) {
        return new CachingRegistry(Registries.connect(properties.getRegistry()), null);
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public RpcClient courierClient(
            Registry registry, CourierProperties properties, ObjectProvider<MeterRegistry> meters) {
        RpcClient.Builder b = RpcClient.builder().registry(registry);
        if (properties.getToken() != null) {
            b.token(properties.getToken());
        }
        CourierProperties.Tls tls = properties.getTls();
        if ((tls.getCert() == null) != (tls.getKey() == null)) {
            throw new CourierConfigurationException(List.of("courier.tls.cert and courier.tls.key go together"));
        }
        if (tls.getCa() != null || tls.getCert() != null) {
            TlsOptions.Builder t = TlsOptions.builder();
            if (tls.getCa() != null) {
                t.trust(Path.of(tls.getCa()));
            }
            if (tls.getCert() != null) {
                t.keyCertChain(Path.of(tls.getCert()), Path.of(tls.getKey()));
            }
            b.tls(t.build());
        }
        MeterRegistry m = meters.getIfUnique();
        if (m != null) {
            b.meterRegistry(m);
        }
        return b.build();
    }

    /** Static: a post-processor is created before the other beans; it looks the client up when a bean needs it. */
    @Bean
    public static RpcReferenceInjector courierReferenceInjector(
            ObjectProvider<RpcClient> client, ObjectProvider<CourierProperties> properties) {
        return new RpcReferenceInjector(client, properties);
    }

    @Bean
    @ConditionalOnMissingBean
    public CourierServer courierServer(
            ApplicationContext context,
            Registry registry,
            CourierProperties properties,
            ObjectProvider<MeterRegistry> meters) {
        return new CourierServer(context, registry, properties, meters.getIfUnique());
    }

    /** The health indicator, when Actuator is on the class path. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    static class CourierHealthConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "courierHealthIndicator")
        CourierHealthIndicator courierHealthIndicator(CourierServer server, Registry registry) {
            return new CourierHealthIndicator(server, registry);
        }
    }
}
