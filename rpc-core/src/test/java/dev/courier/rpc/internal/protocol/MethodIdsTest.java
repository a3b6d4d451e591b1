package dev.courier.rpc.internal.protocol;

import dev.courier.rpc.internal.transport.ClientHello;
import dev.courier.serialization.CompressionPolicy;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** A connection names each method once, in a method frame, and then by id only. */
class MethodIdsTest {

    private static final int MAX_BODY = 64 * 1024;
    private static final String SERVICE = "com.example.Greeter";

    private final EmbeddedChannel encoder = new EmbeddedChannel(FrameEncoder.INSTANCE);
    private final EmbeddedChannel decoder = new EmbeddedChannel(new FrameDecoder(MAX_BODY));
    private final List<Frame> frames = new ArrayList<>();

    @AfterEach
    void releaseEverything() {
        frames.forEach(Frame::release);
        encoder.finishAndReleaseAll();
        decoder.finishAndReleaseAll();
    }

    private static OutboundRequest request(long id, MethodKey method, Object... args) {
        return new OutboundRequest(
                id,
                0,
                Utf8TestSerializer.INSTANCE,
                CompressionPolicy.none(),
                new RequestHead(method, 3000, Map.of("k", "v")),
                args,
                null);
    }

    /** Encodes {@code message} and returns the frames it became. */
    private List<Frame> send(Object message) {
        assertThat(encoder.writeOutbound(message)).isTrue();
        ByteBuf out;
        while ((out = encoder.readOutbound()) != null) {
            decoder.writeInbound(out);
        }
        List<Frame> got = new ArrayList<>();
        Frame f;
        while ((f = decoder.readInbound()) != null) {
            got.add(f);
            frames.add(f);
        }
        return got;
    }

    private static MethodKey method(String name) {
        return new MethodKey(SERVICE, "1.0", "g", name, "Ljava/lang/String;");
    }

    @Test
    void theFirstRequestOfAMethodBindsItsIdAndLaterOnesCarryOnlyTheId() {
        MethodIds.offer(encoder, "4096");
        MethodKey hello = method("sayHello");

        List<Frame> first = send(request(7, hello, "Ada"));
        assertThat(first).hasSize(2);
        Frame binding = first.get(0);
        assertThat(binding.isMethodDefinition()).isTrue();
        assertThat(binding.requestId()).as("the method id").isEqualTo(1);
        assertThat(MethodKey.readFrom(binding.body())).isEqualTo(hello);
        assertThat(binding.body().isReadable()).isFalse();
        assertRequestById(first.get(1), 7, 1, "Ada");

        List<Frame> second = send(request(8, hello, "Bob"));
        assertThat(second).as("no second method frame").hasSize(1);
        assertRequestById(second.get(0), 8, 1, "Bob");

        List<Frame> other = send(request(9, method("sayBye"), "Cy"));
        assertThat(other).hasSize(2);
        assertThat(other.get(0).requestId()).as("the next id").isEqualTo(2);
        assertRequestById(other.get(1), 9, 2, "Cy");
        assertThat(MethodIds.of(encoder).size()).isEqualTo(2);
    }

    private static void assertRequestById(Frame frame, long requestId, int methodId, String arg) {
        assertThat(frame.requestId()).isEqualTo(requestId);
        assertThat(frame.isMethodDefinition()).isFalse();
        assertThat(frame.hasMethodId()).isTrue();
        ByteBuf body = frame.body();
        assertThat(Codec.readVarInt(body)).isEqualTo(methodId);
        RequestHead head = RequestHead.readRestFrom(method("unused"), body);
        assertThat(head.timeoutMillis()).isEqualTo(3000);
        assertThat(head.attachments()).containsEntry("k", "v");
        assertThat(Codec.readVarInt(body)).isEqualTo(1);
        assertThat(Codec.readValue(body, Utf8TestSerializer.INSTANCE, String.class))
                .isEqualTo(arg);
        assertThat(body.isReadable()).isFalse();
    }

    @Test
    void withoutAnOfferEveryRequestNamesItsMethodInFull() {
        List<Frame> got = send(request(7, method("sayHello"), "Ada"));
        assertThat(got).hasSize(1);
        assertThat(got.get(0).hasMethodId()).isFalse();
        assertThat(RequestHead.readFrom(got.get(0).body()).target()).isEqualTo(method("sayHello"));
        assertThat(MethodIds.of(encoder)).isNull();
    }

    @Test
    void pastTheOfferedNumberOfIdsMethodsGoInFull() {
        MethodIds.offer(encoder, "1");
        send(request(1, method("a"), "x"));

        List<Frame> got = send(request(2, method("b"), "x"));
        assertThat(got).hasSize(1);
        assertThat(got.get(0).hasMethodId()).isFalse();
        assertThat(RequestHead.readFrom(got.get(0).body()).method()).isEqualTo("b");
        assertThat(send(request(3, method("a"), "x")).get(0).hasMethodId())
                .as("the bound one still goes by id")
                .isTrue();
    }

    @Test
    void anOfferThatIsNotAPositiveNumberIsNoOffer() {
        for (String offered : new String[] {null, "", "many", "-3", "0"}) {
            EmbeddedChannel channel = new EmbeddedChannel();
            MethodIds.offer(channel, offered);
            assertThat(MethodIds.of(channel)).as("offer %s", offered).isNull();
            channel.finishAndReleaseAll();
        }
        EmbeddedChannel channel = new EmbeddedChannel();
        MethodIds.offer(channel, "1000000");
        assertThat(MethodIds.of(channel)).isNotNull();
        channel.finishAndReleaseAll();
    }

    @Test
    void aRequestWhoseArgumentsCannotBeWrittenKeepsTheMethodFrameBeforeIt() {
        MethodIds.offer(encoder, "4096");
        AtomicReference<Throwable> failure = new AtomicReference<>();
        OutboundRequest bad = new OutboundRequest(
                1,
                0,
                Utf8TestSerializer.INSTANCE,
                CompressionPolicy.none(),
                new RequestHead(method("sayHello"), 0, Map.of()),
                new Object[] {42}, // the test serializer writes strings only
                failure::set);
        encoder.writeOutbound(bad);
        ByteBuf out = encoder.readOutbound();
        decoder.writeInbound(out);
        Frame only = decoder.readInbound();
        frames.add(only);
        assertThat(failure.get()).isNotNull();
        assertThat(only.isMethodDefinition()).isTrue();
        assertThat(decoder.<Object>readInbound())
                .as("the request itself was not written")
                .isNull();

        List<Frame> next = send(request(2, method("sayHello"), "Ada"));
        assertThat(next).as("the binding stands").hasSize(1);
        assertRequestById(next.get(0), 2, 1, "Ada");
    }

    @Test
    void theClientTakesTheServersOfferFromTheHandshakeAnswer() {
        for (boolean offered : new boolean[] {true, false}) {
            AtomicLong ids = new AtomicLong();
            EmbeddedChannel client = new EmbeddedChannel();
            client.pipeline().addLast(new FrameDecoder(MAX_BODY), FrameEncoder.INSTANCE);
            client.pipeline().addLast(new ClientHello(null, ids, 10_000));
            client.pipeline().fireChannelActive();
            ByteBuf hello = client.readOutbound();
            assertThat(hello).as("the client's hello").isNotNull();
            hello.release();
            Hello answer = offered
                    ? Hello.accepted(ids.get(), null)
                    : new Hello(ids.get(), true, Status.OK, Map.of(), null); // a server without method ids
            client.writeInbound(FrameEncoder.encode(client.alloc(), answer));

            assertThat(ClientHello.ready(client).isSuccess()).isTrue();
            assertThat(MethodIds.of(client) != null)
                    .as("ids in use when offered: %s", offered)
                    .isEqualTo(offered);
            client.finishAndReleaseAll();
        }
    }
}
