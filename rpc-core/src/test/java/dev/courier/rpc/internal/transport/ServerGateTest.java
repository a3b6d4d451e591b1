package dev.courier.rpc.internal.transport;

import dev.courier.rpc.Authenticator;
import dev.courier.rpc.internal.protocol.ErrorInfo;
import dev.courier.rpc.internal.protocol.Frame;
import dev.courier.rpc.internal.protocol.FrameDecoder;
import dev.courier.rpc.internal.protocol.FrameEncoder;
import dev.courier.rpc.internal.protocol.Hello;
import dev.courier.rpc.internal.protocol.OutboundRequest;
import dev.courier.rpc.internal.protocol.RequestHead;
import dev.courier.rpc.internal.protocol.ResponseHead;
import dev.courier.rpc.internal.protocol.Status;
import dev.courier.rpc.internal.protocol.Utf8TestSerializer;
import dev.courier.serialization.CompressionPolicy;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The server's handshake gate on an {@link EmbeddedChannel}: nothing reaches the service handler unauthenticated. */
class ServerGateTest {

    private static final int MAX_BODY = 64 * 1024;

    private final List<Object> passed = new ArrayList<>();
    private final List<String> principals = new ArrayList<>();
    private final EmbeddedChannel encoder = new EmbeddedChannel(FrameEncoder.INSTANCE);
    private final EmbeddedChannel responses = new EmbeddedChannel(new FrameDecoder(MAX_BODY));
    private EmbeddedChannel server;

    @AfterEach
    void close() {
        passed.forEach(m -> ((Frame) m).release());
        server.finishAndReleaseAll();
        encoder.finishAndReleaseAll();
        responses.finishAndReleaseAll();
    }

    private void serverWith(Authenticator authenticator) {
        server = new EmbeddedChannel(
                new FrameDecoder(MAX_BODY),
                FrameEncoder.INSTANCE,
                new ServerGate(authenticator, (ctx, p) -> principals.add(String.valueOf(p))),
                new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        passed.add(msg);
                    }
                });
    }

    private ByteBuf encode(Object message) {
        encoder.writeOutbound(message);
        return encoder.readOutbound();
    }

    private ByteBuf request(long id) {
        return encode(new OutboundRequest(
                id,
                0,
                Utf8TestSerializer.INSTANCE,
                CompressionPolicy.none(),
                new RequestHead("svc", "", "", "m", "", 0, Map.of()),
                new Object[0],
                null));
    }

    private Frame answer() {
        ByteBuf out = server.readOutbound();
        assertThat(out).as("an answer").isNotNull();
        responses.writeInbound(out);
        return responses.readInbound();
    }

    @Test
    void requestBeforeHelloIsAnsweredUnauthenticatedAndTheConnectionCloses() {
        serverWith(Authenticator.tokens(Map.of("t", "alice")));

        server.writeInbound(request(7));

        Frame answer = answer();
        try {
            assertThat(answer.requestId()).isEqualTo(7);
            assertThat(answer.statusValue()).isEqualTo(Status.UNAUTHENTICATED);
            ResponseHead.skipAttachments(answer.body());
            assertThat(ErrorInfo.readFrom(answer.body()).message()).contains("not authenticated");
        } finally {
            answer.release();
        }
        assertThat(passed).isEmpty();
        assertThat(server.isOpen()).isFalse();
    }

    @Test
    void refusedHelloIsAnsweredAndTheConnectionCloses() {
        serverWith(Authenticator.tokens(Map.of("t", "alice")));

        server.writeInbound(encode(Hello.request(1, Map.of(Hello.TOKEN, "wrong"))));

        Frame answer = answer();
        try {
            assertThat(answer.isHandshake()).isTrue();
            Hello hello = Hello.read(answer);
            assertThat(hello.status()).isEqualTo(Status.UNAUTHENTICATED);
            assertThat(hello.error().message()).contains("not accepted");
        } finally {
            answer.release();
        }
        assertThat(principals).isEmpty();
        assertThat(server.isOpen()).isFalse();
    }

    @Test
    void acceptedHelloSetsThePrincipalAndLetsLaterFramesThrough() {
        serverWith(Authenticator.tokens(Map.of("t", "alice")));

        server.writeInbound(encode(Hello.request(1, Map.of(Hello.TOKEN, "t"))));
        Frame answer = answer();
        try {
            assertThat(Hello.read(answer).fields())
                    .containsEntry(Hello.PRINCIPAL, "alice")
                    .as("method ids offered")
                    .containsEntry(Hello.METHOD_IDS, "4096");
        } finally {
            answer.release();
        }
        server.writeInbound(request(2));

        assertThat(principals).containsExactly("alice");
        assertThat(passed).hasSize(1);
        assertThat(((Frame) passed.get(0)).requestId()).isEqualTo(2);
        assertThat(server.pipeline().get(ServerGate.class))
                .as("the gate left the pipeline")
                .isNull();
    }

    @Test
    void withoutAuthenticatorFramesPassAnonymously() {
        serverWith(null);

        server.writeInbound(request(3));

        assertThat(passed).hasSize(1);
        assertThat(principals).containsExactly("null");
        assertThat(server.isOpen()).isTrue();
    }
}
