package dev.courier.rpc.bootstrap;

import dev.courier.registry.Registries;
import dev.courier.registry.Registry;
import dev.courier.registry.ServiceInstance;
import dev.courier.registry.ServiceKey;
import dev.courier.rpc.Courier;
import dev.courier.rpc.CourierConfigurationException;
import dev.courier.rpc.bootstrap.good.Frontend;
import dev.courier.rpc.bootstrap.good.Hello;
import dev.courier.rpc.bootstrap.good.HelloImpl;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class CourierTest {

    private final String registryUrl = "embedded://courier-" + UUID.randomUUID();

    @Test
    void scansExportsRegistersInjectsAndDeregistersOnClose() {
        ServiceKey key = ServiceKey.of(Hello.class);
        try (Registry observer = Registries.connect(registryUrl)) {
            Courier courier = Courier.builder()
                    .registry(registryUrl)
                    .scan("dev.courier.rpc.bootstrap.good")
                    .start();
            try {
                assertThat(courier.service(HelloImpl.class)).isNotNull();
                ServiceInstance registered = observer.list(key).instances().get(0);
                assertThat(registered.weight()).isEqualTo(200);
                assertThat(registered.tags()).containsExactly("blue");
                assertThat(registered.port()).isEqualTo(courier.server().port());

                Frontend frontend = courier.inject(new Frontend());
                assertThat(frontend.greet("Ada")).isEqualTo("Hello, Ada");
                assertThat(courier.reference(Hello.class).hello("Grace")).isEqualTo("Hello, Grace");
            } finally {
                courier.close();
            }
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> observer.list(key).instances().isEmpty());
        }
    }

    @Test
    void consumerOnlyCourierCallsProvidersOfAnotherOne() {
        try (Courier provider = Courier.builder()
                        .registry(registryUrl)
                        .scan("dev.courier.rpc.bootstrap.good")
                        .start();
                Courier consumer = Courier.builder()
                        .registry(registryUrl)
                        .inject(new Frontend())
                        .start()) {
            assertThat(consumer.server()).isNull();
            assertThat(consumer.reference(Hello.class).hello("Linus")).isEqualTo("Hello, Linus");
            // the provider counts a call in flight until just after its answer is queued, which the consumer may see
            // first
            await().atMost(Duration.ofSeconds(20)).until(() -> provider.server().inFlightCalls() == 0);
        }
    }

    @Test
    void twoProvidersOfOneKeyFailAtStartWithTheFix() {
        assertThatThrownBy(() -> Courier.builder()
                        .registry(registryUrl)
                        .scan("dev.courier.rpc.bootstrap.duplicate")
                        .start())
                .isInstanceOf(CourierConfigurationException.class)
                .hasMessageContaining("Two providers of dev.courier.rpc.bootstrap.duplicate.Echo")
                .hasMessageContaining("EchoOne")
                .hasMessageContaining("EchoTwo")
                .hasMessageContaining("different version or group");
    }

    @Test
    void badReferencesFailAtStartWithTheFix() {
        assertThatThrownBy(() -> Courier.builder()
                        .registry(registryUrl)
                        .scan("dev.courier.rpc.bootstrap.badref")
                        .start())
                .isInstanceOf(CourierConfigurationException.class)
                .hasMessageContaining("WorkerImpl.notAnInterface has type dev.courier.rpc.bootstrap.badref.WorkerImpl,"
                        + " which is not an interface; declare the field as the service interface")
                .hasMessageContaining("unknown load balancer 'fastest'; use one of [random, roundrobin");
    }
}
