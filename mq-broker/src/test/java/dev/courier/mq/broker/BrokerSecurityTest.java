package dev.courier.mq.broker;

import dev.courier.mq.broker.Authorizer.Action;
import dev.courier.mq.client.MqClient;
import dev.courier.mq.client.MqException;
import dev.courier.mq.client.protocol.BrokerService;
import dev.courier.mq.client.protocol.FetchRequest;
import dev.courier.mq.client.protocol.FetchResult;
import dev.courier.mq.client.protocol.PublishRequest;
import dev.courier.mq.client.protocol.StartPosition;
import dev.courier.mq.client.protocol.SubscribeRequest;
import dev.courier.rpc.AuthenticationException;
import dev.courier.rpc.Authenticator;
import dev.courier.rpc.PermissionDeniedException;
import dev.courier.rpc.TlsOptions;
import dev.courier.rpc.cert.DevCa;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The broker over mutual TLS and bearer tokens, with topic rules: refused callers get typed errors
 * (never a timeout), and each principal may only do what the rules allow.
 */
class BrokerSecurityTest {

    @TempDir
    static Path certs;

    @TempDir
    static Path rogueCerts;

    @TempDir
    Path data;

    static DevCa ca;
    static DevCa.Issued server;
    static DevCa.Issued shop;
    static DevCa.Issued billing;
    static DevCa.Issued stranger;
    static DevCa.Issued mallory;

    private final List<AutoCloseable> resources = new ArrayList<>();

    @BeforeAll
    static void makeCertificates() throws Exception {
        ca = DevCa.init(certs);
        server = ca.issue("broker");
        shop = ca.issue("shop");
        billing = ca.issue("billing");
        stranger = ca.issue("stranger");
        mallory = DevCa.init(rogueCerts).issue("mallory");
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

    /** shop publishes to orders and may create topics; billing consumes orders; nobody else may do anything. */
    private static final TopicAcl RULES = TopicAcl.builder()
            .allow(Action.PUBLISH, "orders", "shop")
            .allow(Action.CONSUME, "orders", "billing")
            .allow(Action.CREATE, "*", "shop")
            .build();

    private Broker mutualTlsBroker() throws Exception {
        TlsOptions tls = TlsOptions.builder()
                .keyCertChain(server.certificate(), server.privateKey())
                .trust(ca.certificate())
                .clientAuth(TlsOptions.ClientAuth.REQUIRE)
                .build();
        return owned(Broker.start(
                BrokerConfig.builder(data).build(),
                "127.0.0.1",
                0,
                new BrokerSecurity(tls, Authenticator.mutualTls(), RULES)));
    }

    private BrokerService client(Broker broker, DevCa.Issued identity, Path trust, String token) {
        TlsOptions.Builder tls = TlsOptions.builder().trust(trust);
        if (identity != null) {
            tls.keyCertChain(identity.certificate(), identity.privateKey());
        }
        MqClient c = owned(MqClient.connect("127.0.0.1:" + broker.port(), Duration.ofSeconds(20), tls.build(), token));
        return c.broker();
    }

    private static Throwable failure(CompletableFuture<?> f) throws Exception {
        try {
            f.get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected the call to fail");
    }

    private static PublishRequest publish(String topic) {
        return new PublishRequest(topic, 0, 0, List.of("m".getBytes()));
    }

    @Test
    void clientWithoutCertificateIsRefused() throws Exception {
        Broker broker = mutualTlsBroker();
        BrokerService anonymous = client(broker, null, ca.certificate(), null);

        assertThatThrownBy(() -> anonymous.stats("orders", "billing")).isInstanceOf(AuthenticationException.class);
    }

    @Test
    void clientCertificateOfAnotherCaIsRefused() throws Exception {
        Broker broker = mutualTlsBroker();
        BrokerService rogue = client(broker, mallory, ca.certificate(), null);

        assertThat(failure(rogue.publish(publish("orders")))).isInstanceOf(AuthenticationException.class);
    }

    @Test
    void principalsMayOnlyDoWhatTheTopicRulesAllow() throws Exception {
        Broker broker = mutualTlsBroker();
        BrokerService asShop = client(broker, shop, ca.certificate(), null);
        BrokerService asBilling = client(broker, billing, ca.certificate(), null);
        BrokerService asStranger = client(broker, stranger, ca.certificate(), null);

        assertThat(asShop.publish(publish("orders")).get(20, TimeUnit.SECONDS).offsets())
                .containsExactly(0L);
        asBilling.subscribe(new SubscribeRequest("orders", "invoices", StartPosition.EARLIEST));
        FetchResult fetched = asBilling
                .fetch(new FetchRequest("orders", "invoices", "c1", 10, 10, 1000, 30_000))
                .get(20, TimeUnit.SECONDS);
        assertThat(fetched.messages()).hasSize(1);

        assertThat(failure(asBilling.publish(publish("orders"))))
                .isInstanceOf(PermissionDeniedException.class)
                .hasMessageContaining("'billing' may not publish topic 'orders'");
        assertThatThrownBy(() -> asShop.subscribe(new SubscribeRequest("orders", "peek", StartPosition.EARLIEST)))
                .isInstanceOf(PermissionDeniedException.class)
                .hasMessageContaining("'shop' may not consume");
        assertThatThrownBy(() -> asStranger.stats("orders", "invoices")).isInstanceOf(PermissionDeniedException.class);
        assertThat(asBilling.stats("orders", "invoices"))
                .as("consumers may read their subscription's state")
                .isNotNull();
        assertThat(failure(asStranger.publish(publish("orders")))).isInstanceOf(PermissionDeniedException.class);
        assertThat(broker.stats("orders", "peek"))
                .as("a refused call changes nothing")
                .isNull();
    }

    @Test
    void onlyAllowedPrincipalsCreateTopics() throws Exception {
        TopicAcl rules = TopicAcl.builder()
                .allow(Action.PUBLISH, "*", "shop", "billing")
                .allow(Action.CREATE, "*", "shop")
                .build();
        TlsOptions tls = TlsOptions.builder()
                .keyCertChain(server.certificate(), server.privateKey())
                .trust(ca.certificate())
                .clientAuth(TlsOptions.ClientAuth.REQUIRE)
                .build();
        Broker broker = owned(Broker.start(
                BrokerConfig.builder(data).build(),
                "127.0.0.1",
                0,
                new BrokerSecurity(tls, Authenticator.mutualTls(), rules)));
        BrokerService asShop = client(broker, shop, ca.certificate(), null);
        BrokerService asBilling = client(broker, billing, ca.certificate(), null);

        assertThat(failure(asBilling.publish(publish("refunds"))))
                .isInstanceOf(PermissionDeniedException.class)
                .hasMessageContaining("may not create topic 'refunds'");
        assertThat(Files.exists(data.resolve("topics").resolve("refunds")))
                .as("no topic was created")
                .isFalse();
        asShop.publish(publish("refunds")).get(20, TimeUnit.SECONDS);
        assertThat(asBilling
                        .publish(publish("refunds"))
                        .get(20, TimeUnit.SECONDS)
                        .offsets())
                .as("once it exists, billing may publish to it")
                .containsExactly(1L);
    }

    @Test
    void tokensAuthenticateAndAMissingOrWrongTokenIsRefused() throws Exception {
        Path tokens = data.resolve("tokens");
        Files.writeString(tokens, "# token principal\ns3cret-shop shop\n");
        TlsOptions tls = TlsOptions.builder()
                .keyCertChain(server.certificate(), server.privateKey())
                .build();
        Broker broker = owned(Broker.start(
                BrokerConfig.builder(data.resolve("d")).build(),
                "127.0.0.1",
                0,
                new BrokerSecurity(tls, Authenticator.tokensFile(tokens), RULES)));

        BrokerService none = client(broker, null, ca.certificate(), null);
        BrokerService wrong = client(broker, null, ca.certificate(), "guess");
        BrokerService right = client(broker, null, ca.certificate(), "s3cret-shop");

        assertThat(failure(none.publish(publish("orders")))).isInstanceOf(AuthenticationException.class);
        assertThat(failure(wrong.publish(publish("orders")))).isInstanceOf(AuthenticationException.class);
        assertThat(right.publish(publish("orders")).get(20, TimeUnit.SECONDS).offsets())
                .containsExactly(0L);
    }

    @Test
    void aProducerRefusedByTheBrokerFailsAtOnceWithTheReason() throws Exception {
        Broker broker = mutualTlsBroker();
        TlsOptions tls = TlsOptions.builder()
                .trust(ca.certificate())
                .keyCertChain(billing.certificate(), billing.privateKey())
                .build();
        MqClient c = owned(MqClient.connect("127.0.0.1:" + broker.port(), Duration.ofMinutes(5), tls, null));

        assertThat(failure(c.producer("orders").send("x".getBytes())))
                .isInstanceOf(MqException.class)
                .hasMessageContaining("refused")
                .hasCauseInstanceOf(PermissionDeniedException.class);
    }
}
