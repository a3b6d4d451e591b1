package dev.courier.rpc;

import dev.courier.rpc.cert.DevCa;
import io.netty.handler.ssl.OpenSsl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * TLS, mutual TLS, bearer tokens and per-service authorization end to end, with certificates made at
 * run time by {@link DevCa}. A refused caller must end with a typed error, never a timeout: calls
 * here get a deadline far above how long a refusal takes, so a hang shows as {@link RpcTimeoutException}.
 */
class TransportSecurityTest {

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    static Path certs;

    @TempDir
    static Path rogueCerts;

    static DevCa ca;
    static DevCa.Issued server;
    static DevCa.Issued alice;
    static DevCa.Issued bob;
    static DevCa.Issued mallory;
    static DevCa rogue;

    private final List<AutoCloseable> resources = new ArrayList<>();

    @BeforeAll
    static void makeCertificates() throws Exception {
        ca = DevCa.init(certs);
        server = ca.issue("server");
        alice = ca.issue("alice");
        bob = ca.issue("bob");
        rogue = DevCa.init(rogueCerts);
        mallory = rogue.issue("mallory");
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private <T extends AutoCloseable> T owned(T resource) {
        resources.add(resource);
        return resource;
    }

    private static TlsOptions.Builder serverTls(TlsOptions.Provider provider) {
        return TlsOptions.builder()
                .keyCertChain(server.certificate(), server.privateKey())
                .trust(ca.certificate())
                .provider(provider);
    }

    private static TlsOptions.Builder clientTls(TlsOptions.Provider provider, DevCa.Issued identity) {
        TlsOptions.Builder b = TlsOptions.builder().trust(ca.certificate()).provider(provider);
        return identity == null ? b : b.keyCertChain(identity.certificate(), identity.privateKey());
    }

    private RpcServer start(RpcServer.Builder builder, ExportOptions options) {
        return owned(builder.host("127.0.0.1")
                .port(0)
                .export(WhoAmI.class, new WhoAmI.Impl(), options)
                .start());
    }

    private WhoAmI connect(RpcServer server, RpcClient.Builder client) {
        return owned(client.build())
                .reference(WhoAmI.class)
                .address("127.0.0.1", server.port())
                .timeout(CALL_TIMEOUT)
                .build();
    }

    private static void assumeAvailable(TlsOptions.Provider provider) {
        assumeTrue(provider != TlsOptions.Provider.OPENSSL || OpenSsl.isAvailable(), "OpenSSL does not load here");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(
            value = TlsOptions.Provider.class,
            names = {"JDK", "OPENSSL"})
    void mutualTlsPrincipalIsVisibleInCallContext(TlsOptions.Provider provider) {
        assumeAvailable(provider);
        RpcServer s = start(
                RpcServer.builder()
                        .tls(serverTls(provider)
                                .clientAuth(TlsOptions.ClientAuth.REQUIRE)
                                .build())
                        .authenticator(Authenticator.mutualTls()),
                ExportOptions.create());

        WhoAmI who =
                connect(s, RpcClient.builder().tls(clientTls(provider, alice).build()));

        assertThat(who.principal()).isEqualTo("alice");
        assertThat(who.echo("over tls")).isEqualTo("over tls");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(
            value = TlsOptions.Provider.class,
            names = {"JDK", "OPENSSL"})
    void clientWithoutCertificateIsRefusedUnderMutualTls(TlsOptions.Provider provider) {
        assumeAvailable(provider);
        RpcServer s = start(
                RpcServer.builder()
                        .tls(serverTls(provider)
                                .clientAuth(TlsOptions.ClientAuth.REQUIRE)
                                .build()),
                ExportOptions.create());

        WhoAmI who =
                connect(s, RpcClient.builder().tls(clientTls(provider, null).build()));

        assertThatThrownBy(who::principal).isInstanceOf(AuthenticationException.class);
        assertThatThrownBy(who::principal)
                .as("later calls during the backoff")
                .isInstanceOf(AuthenticationException.class);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(
            value = TlsOptions.Provider.class,
            names = {"JDK", "OPENSSL"})
    void clientCertificateFromAnotherCaIsRefused(TlsOptions.Provider provider) {
        assumeAvailable(provider);
        RpcServer s = start(
                RpcServer.builder()
                        .tls(serverTls(provider)
                                .clientAuth(TlsOptions.ClientAuth.REQUIRE)
                                .build()),
                ExportOptions.create());

        WhoAmI who =
                connect(s, RpcClient.builder().tls(clientTls(provider, mallory).build()));

        assertThatThrownBy(who::principal).isInstanceOf(AuthenticationException.class);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(
            value = TlsOptions.Provider.class,
            names = {"JDK", "OPENSSL"})
    void clientTrustingAnotherCaRefusesTheServer(TlsOptions.Provider provider) {
        assumeAvailable(provider);
        RpcServer s = start(RpcServer.builder().tls(serverTls(provider).build()), ExportOptions.create());

        WhoAmI who = connect(
                s,
                RpcClient.builder()
                        .tls(TlsOptions.builder()
                                .trust(rogue.certificate())
                                .provider(provider)
                                .build()));

        assertThatThrownBy(who::principal)
                .isInstanceOf(AuthenticationException.class)
                .hasMessageContaining("TLS handshake");
    }

    @Test
    void serverOnlyTlsCarriesCallsAnonymously() {
        RpcServer s = start(
                RpcServer.builder().tls(serverTls(TlsOptions.Provider.AUTO).build()), ExportOptions.create());

        WhoAmI who = connect(
                s,
                RpcClient.builder()
                        .tls(clientTls(TlsOptions.Provider.AUTO, null).build()));

        assertThat(who.principal()).isEqualTo("anonymous");
    }

    @Test
    void plaintextClientIsToldTheServerRequiresTls() {
        RpcServer s = start(
                RpcServer.builder().tls(serverTls(TlsOptions.Provider.AUTO).build()), ExportOptions.create());

        WhoAmI who = connect(s, RpcClient.builder());

        assertThatThrownBy(who::principal)
                .isInstanceOf(AuthenticationException.class)
                .hasMessageContaining("requires TLS");
    }

    @Test
    void clientWithoutTokenIsRefused() {
        RpcServer s = start(
                RpcServer.builder()
                        .tls(serverTls(TlsOptions.Provider.AUTO).build())
                        .authenticator(Authenticator.tokens(Map.of("t-alice", "alice"))),
                ExportOptions.create());

        WhoAmI noToken = connect(
                s,
                RpcClient.builder()
                        .tls(clientTls(TlsOptions.Provider.AUTO, null).build()));
        WhoAmI wrongToken = connect(
                s,
                RpcClient.builder()
                        .tls(clientTls(TlsOptions.Provider.AUTO, null).build())
                        .token("t-guess"));

        assertThatThrownBy(noToken::principal)
                .isInstanceOf(AuthenticationException.class)
                .hasMessageContaining("bearer token is required");
        assertThatThrownBy(wrongToken::principal)
                .isInstanceOf(AuthenticationException.class)
                .hasMessageContaining("not accepted");
    }

    @Test
    void tokenPrincipalIsVisibleInCallContext() {
        RpcServer s = start(
                RpcServer.builder().authenticator(Authenticator.tokens(Map.of("t-bob", "bob"))),
                ExportOptions.create());

        WhoAmI who = connect(s, RpcClient.builder().token("t-bob"));

        assertThat(who.principal()).isEqualTo("bob");
    }

    @Test
    void certificateOrTokenEitherAuthenticates() {
        RpcServer s = start(
                RpcServer.builder()
                        .tls(serverTls(TlsOptions.Provider.AUTO)
                                .clientAuth(TlsOptions.ClientAuth.OPTIONAL)
                                .build())
                        .authenticator(Authenticator.mutualTls().or(Authenticator.tokens(Map.of("t-bob", "bob")))),
                ExportOptions.create());

        WhoAmI byCert = connect(
                s,
                RpcClient.builder()
                        .tls(clientTls(TlsOptions.Provider.AUTO, alice).build()));
        WhoAmI byToken = connect(
                s,
                RpcClient.builder()
                        .tls(clientTls(TlsOptions.Provider.AUTO, null).build())
                        .token("t-bob"));
        WhoAmI neither = connect(
                s,
                RpcClient.builder()
                        .tls(clientTls(TlsOptions.Provider.AUTO, null).build()));

        assertThat(byCert.principal()).isEqualTo("alice");
        assertThat(byToken.principal()).isEqualTo("bob");
        assertThatThrownBy(neither::principal).isInstanceOf(AuthenticationException.class);
    }

    @Test
    void principalWithoutPermissionForServiceOrMethodIsRefused() {
        RpcServer s = start(
                RpcServer.builder()
                        .tls(serverTls(TlsOptions.Provider.AUTO)
                                .clientAuth(TlsOptions.ClientAuth.REQUIRE)
                                .build())
                        .authenticator(Authenticator.mutualTls()),
                ExportOptions.create().allow("alice", "bob").allowMethod("secret", "alice"));
        RpcServer open = start(RpcServer.builder(), ExportOptions.create().allow("*"));

        WhoAmI asAlice = connect(
                s,
                RpcClient.builder()
                        .tls(clientTls(TlsOptions.Provider.AUTO, alice).build()));
        WhoAmI asBob = connect(
                s,
                RpcClient.builder().tls(clientTls(TlsOptions.Provider.AUTO, bob).build()));
        WhoAmI anonymous = connect(open, RpcClient.builder());

        assertThat(asAlice.secret()).isEqualTo("42");
        assertThat(asBob.echo("hi")).isEqualTo("hi");
        assertThatThrownBy(asBob::secret)
                .isInstanceOf(PermissionDeniedException.class)
                .hasMessageContaining("'bob' may not call " + WhoAmI.class.getName() + ".secret");
        assertThat(asBob.principal()).as("the connection survives a refusal").isEqualTo("bob");
        assertThatThrownBy(() -> anonymous.echo("hi"))
                .isInstanceOf(PermissionDeniedException.class)
                .hasMessageContaining("anonymous");
    }

    @Test
    void serviceCodeThrowingPermissionDeniedReachesTheCallerTyped() {
        RpcServer s = owned(RpcServer.builder()
                .host("127.0.0.1")
                .export(WhoAmI.class, new WhoAmI.Impl() {
                    @Override
                    public String secret() {
                        throw new PermissionDeniedException("not today");
                    }
                })
                .start());

        WhoAmI who = connect(s, RpcClient.builder());

        assertThatThrownBy(who::secret)
                .isInstanceOf(PermissionDeniedException.class)
                .hasMessage("not today");
    }

    @Test
    void courierBootstrapCarriesOneTlsSettingToServerAndClient() throws Exception {
        TransportOptions transport = TransportOptions.builder()
                .tls(TlsOptions.builder()
                        .keyCertChain(alice.certificate(), alice.privateKey())
                        .trust(ca.certificate())
                        .clientAuth(TlsOptions.ClientAuth.REQUIRE)
                        .build())
                .build();
        RpcServer s = start(
                RpcServer.builder().transport(transport).authenticator(Authenticator.mutualTls()),
                ExportOptions.create());
        try (Courier courier = Courier.builder().transport(transport).start()) {
            WhoAmI who = courier.client()
                    .reference(WhoAmI.class)
                    .address("127.0.0.1", s.port())
                    .build();
            assertThat(who.principal()).isEqualTo("alice");
        }
    }
}
