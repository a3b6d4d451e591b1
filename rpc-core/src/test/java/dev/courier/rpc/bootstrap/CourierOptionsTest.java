package dev.courier.rpc.bootstrap;

import dev.courier.rpc.ClientInterceptor;
import dev.courier.rpc.Courier;
import dev.courier.rpc.CourierConfigurationException;
import dev.courier.rpc.ServerInterceptor;
import dev.courier.rpc.bootstrap.good.Hello;
import dev.courier.rpc.bootstrap.options.BadCompressionFrontend;
import dev.courier.rpc.bootstrap.options.CompressingFrontend;
import dev.courier.rpc.bootstrap.options.ListedServerInterceptor;
import dev.courier.serialization.Compression;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The options of {@link Courier.Builder} beyond scanning: interceptors, serializer, compression, registry cache. */
class CourierOptionsTest {

    private final String registryUrl = "embedded://courier-options-" + UUID.randomUUID();

    @TempDir
    Path cache;

    @Test
    void interceptorsSerializerCompressionAndTheRegistryCacheReachBothSides() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        ClientInterceptor client = (invocation, chain) -> {
            seen.add("client " + invocation.method().getName());
            return chain.proceed(invocation);
        };
        ServerInterceptor server = (invocation, chain) -> {
            seen.add(
                    "server " + invocation.method().getName() + " " + invocation.arguments()[0]);
            return chain.proceed(invocation);
        };
        try (Courier courier = Courier.builder()
                .registry(registryUrl)
                .scan("dev.courier.rpc.bootstrap.good")
                .clientInterceptor(client)
                .serverInterceptor(server)
                .serializer("protostuff")
                .compression(Compression.LZ4, 0)
                .registryCacheDirectory(cache)
                .start()) {
            // the server takes protostuff only: these calls succeed only if the references send it too
            assertThat(courier.reference(Hello.class).hello("Ada")).isEqualTo("Hello, Ada");
            CompressingFrontend frontend = courier.inject(new CompressingFrontend());
            assertThat(frontend.gzipped.hello("Grace")).isEqualTo("Hello, Grace");
            assertThat(frontend.plain.hello("Linus")).isEqualTo("Hello, Linus");
            assertThat(ListedServerInterceptor.FIRST_ARGUMENTS)
                    .as("the interceptor listed in META-INF/services")
                    .contains("Ada", "Grace", "Linus");
            assertThat(seen)
                    .containsExactly(
                            "client hello",
                            "server hello Ada",
                            "client hello",
                            "server hello Grace",
                            "client hello",
                            "server hello Linus");
            try (var files = Files.list(cache)) {
                assertThat(files.toList())
                        .as("the last good list of the service, kept on disk")
                        .isNotEmpty();
            }
        }
    }

    @Test
    void aReferenceNamingAnUnknownCodecOrSerializerFailsTheStartWithTheFix() {
        assertThatThrownBy(() -> Courier.builder()
                        .registry(registryUrl)
                        .inject(new BadCompressionFrontend())
                        .start())
                .isInstanceOf(CourierConfigurationException.class)
                .hasMessageContaining("unknown compression 'zstd'")
                .hasMessageContaining("unknown serializer 'json'");
    }
}
