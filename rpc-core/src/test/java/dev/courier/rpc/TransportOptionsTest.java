package dev.courier.rpc;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One set of rules for transport settings, whichever builder they are given to. */
class TransportOptionsTest {

    @Test
    void badValuesAreRefusedTheSameWayByEveryBuilder() {
        List<Consumer<TransportOptions.Builder>> bad = List.of(
                b -> b.maxBodyLength(0),
                b -> b.maxBodyLength(-5),
                b -> b.heartbeatInterval(Duration.ZERO),
                b -> b.connectTimeout(Duration.ofMillis(-1)),
                b -> b.handshakeTimeout(Duration.ZERO),
                b -> b.connectionsPerAddress(0),
                b -> b.ioThreads(-1),
                b -> b.token(" "),
                b -> b.token("two words"));
        for (Consumer<TransportOptions.Builder> setting : bad) {
            assertThatThrownBy(() -> setting.accept(TransportOptions.builder()))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> RpcClient.builder().maxBodyLength(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RpcServer.builder().maxBodyLength(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RpcClient.builder().heartbeatInterval(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RpcServer.builder().heartbeatInterval(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RpcClient.builder().ioThreads(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void optionsAreImmutableAndCopiedByToBuilder() {
        TransportOptions.Builder b =
                TransportOptions.builder().maxBodyLength(1024).token("abc");
        TransportOptions first = b.build();
        b.maxBodyLength(2048);
        TransportOptions changed = first.toBuilder().connectionsPerAddress(3).build();

        assertThat(first.maxBodyLength()).isEqualTo(1024);
        assertThat(changed.maxBodyLength()).isEqualTo(1024);
        assertThat(changed.token()).isEqualTo("abc");
        assertThat(changed.connectionsPerAddress()).isEqualTo(3);
        assertThat(first.connectionsPerAddress()).isEqualTo(1);
        assertThat(first.toString()).doesNotContain("abc");
    }

    @Test
    void clientRunsWithTheOptionsItWasGiven() {
        TransportOptions options = TransportOptions.builder()
                .connectionsPerAddress(2)
                .maxBodyLength(4096)
                .build();
        try (RpcClient client = RpcClient.builder()
                .transport(options)
                .heartbeatInterval(Duration.ofSeconds(3))
                .build()) {
            assertThat(client.transport().connectionsPerAddress()).isEqualTo(2);
            assertThat(client.transport().maxBodyLength()).isEqualTo(4096);
            assertThat(client.transport().heartbeatInterval()).isEqualTo(Duration.ofSeconds(3));
        }
    }

    @Test
    void tlsSettingsNameEveryProblem(@TempDir Path dir) {
        assertThatThrownBy(() -> TlsOptions.builder()
                        .keyCertChain(dir.resolve("no.pem"), dir.resolve("no-key.pem"))
                        .clientAuth(TlsOptions.ClientAuth.REQUIRE)
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no.pem")
                .hasMessageContaining("no-key.pem")
                .hasMessageContaining("trust(caFile)");
    }

    @Test
    void tlsServerWithoutCertificateDoesNotStart(@TempDir Path dir) throws Exception {
        dev.courier.rpc.cert.DevCa ca = dev.courier.rpc.cert.DevCa.init(dir);
        TlsOptions trustOnly = TlsOptions.builder().trust(ca.certificate()).build();

        assertThatThrownBy(() -> RpcServer.builder().tls(trustOnly).start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("keyCertChain");
    }
}
