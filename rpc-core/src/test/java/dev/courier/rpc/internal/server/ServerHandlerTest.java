package dev.courier.rpc.internal.server;

import dev.courier.rpc.EchoService;
import dev.courier.rpc.EchoServiceImpl;
import dev.courier.rpc.internal.protocol.Codec;
import dev.courier.rpc.internal.protocol.Decompressor;
import dev.courier.rpc.internal.protocol.ErrorInfo;
import dev.courier.rpc.internal.protocol.Frame;
import dev.courier.rpc.internal.protocol.FrameDecoder;
import dev.courier.rpc.internal.protocol.FrameEncoder;
import dev.courier.rpc.internal.protocol.FrameFormat;
import dev.courier.rpc.internal.protocol.Heartbeat;
import dev.courier.rpc.internal.protocol.OutboundRequest;
import dev.courier.rpc.internal.protocol.RequestHead;
import dev.courier.rpc.internal.protocol.ResponseHead;
import dev.courier.rpc.internal.protocol.Status;
import dev.courier.rpc.internal.protocol.Utf8TestSerializer;
import dev.courier.serialization.Compression;
import dev.courier.serialization.CompressionPolicy;
import dev.courier.serialization.Serializers;
import dev.courier.serialization.TypeAllowlist;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The server pipeline on an {@link EmbeddedChannel}: bad input gets a typed answer and never crashes it. */
class ServerHandlerTest {

    private static final int MAX_BODY = 64 * 1024;

    private final EchoServiceImpl impl = new EchoServiceImpl();
    private final ExportedService echo = new ExportedService(EchoService.class, impl, "", "", false);
    private final EmbeddedChannel server = serverChannel(new InFlight());
    private final EmbeddedChannel encoder = new EmbeddedChannel(FrameEncoder.INSTANCE);
    private final EmbeddedChannel responses = new EmbeddedChannel(new FrameDecoder(MAX_BODY));
    /** An encoder whose connection was offered method ids, as a client's is by the handshake. */
    private final EmbeddedChannel ids = new EmbeddedChannel(FrameEncoder.INSTANCE);

    /** The server's pipeline on an embedded channel, serving {@link #echo}. */
    private EmbeddedChannel serverChannel(InFlight inFlight) {
        return new EmbeddedChannel(
                new FrameDecoder(MAX_BODY),
                new Decompressor(MAX_BODY),
                FrameEncoder.INSTANCE,
                new ServerHandler(
                        Map.of(echo.key(), echo),
                        Utf8TestSerializer.INSTANCE,
                        Runnable::run,
                        inFlight,
                        CompressionPolicy.none()));
    }

    ServerHandlerTest() {
        dev.courier.rpc.internal.WriteQueue.install(server);
        dev.courier.rpc.internal.protocol.MethodIds.offer(ids, "4096");
    }

    @AfterEach
    void close() {
        server.finishAndReleaseAll();
        encoder.finishAndReleaseAll();
        responses.finishAndReleaseAll();
        ids.finishAndReleaseAll();
    }

    private ByteBuf request(long id, int flags, String service, String method, String params, Object... args) {
        RequestHead head = new RequestHead(service, "", "", method, params, 0, Map.of());
        encoder.writeOutbound(new OutboundRequest(
                id, flags, Utf8TestSerializer.INSTANCE, CompressionPolicy.none(), head, args, null));
        return encoder.readOutbound();
    }

    private ByteBuf echoRequest(long id, String s) {
        return request(id, 0, EchoService.class.getName(), "echo", "Ljava/lang/String;", s);
    }

    /** Reads the next response the server wrote; the caller releases it. */
    private Frame nextResponse() {
        ByteBuf bytes = server.readOutbound();
        assertThat(bytes).as("a response was written").isNotNull();
        responses.writeInbound(bytes);
        return responses.readInbound();
    }

    private void assertError(long id, Status status, String messagePart) {
        Frame response = nextResponse();
        try {
            assertThat(response.requestId()).isEqualTo(id);
            assertThat(response.statusValue()).isEqualTo(status);
            ResponseHead.skipAttachments(response.body());
            assertThat(ErrorInfo.readFrom(response.body()).message()).contains(messagePart);
        } finally {
            response.release();
        }
        assertThat(server.isActive()).as("connection survives").isTrue();
    }

    @Test
    void wellFormedRequestIsAnswered() {
        server.writeInbound(echoRequest(1, "hi"));

        assertThat(okValue(1)).isEqualTo("hi");
    }

    @Test
    void unknownSerializerIsABadRequest() {
        ByteBuf req = echoRequest(2, "hi");
        req.setByte(FrameFormat.SERIALIZER_OFFSET, 99);
        server.writeInbound(req);
        assertError(2, Status.BAD_REQUEST, "only, not id 99");
    }

    @Test
    void aRequestInAnotherInstalledSerializerIsRefusedUnread() {
        // Kryo is installed too, but the server chose the test serializer: the header's byte may not switch
        // the decoder. The body is not a Kryo stream, so reading it would fail differently.
        byte kryo = Serializers.load(TypeAllowlist.defaults()).byName("kryo").id();
        ByteBuf req = echoRequest(3, "hi");
        req.setByte(FrameFormat.SERIALIZER_OFFSET, kryo);
        server.writeInbound(req);
        assertError(3, Status.BAD_REQUEST, "takes requests in serializer 'utf8-test' (id 42) only, not id " + kryo);
    }

    @Test
    void unknownServiceAndMethodAreReportedAsSuch() {
        server.writeInbound(request(3, 0, "com.example.Nope", "echo", "Ljava/lang/String;", "x"));
        assertError(3, Status.SERVICE_NOT_FOUND, "com.example.Nope");

        server.writeInbound(request(4, 0, EchoService.class.getName(), "echo", "I", "x"));
        assertError(4, Status.METHOD_NOT_FOUND, "echo(I)");
    }

    @Test
    void bodyTruncatedInsideItsDeclaredLengthIsABadRequest() {
        ByteBuf req = echoRequest(5, "hello");
        // Cut the argument's bytes but keep the frame consistent: the value claims more than is there.
        ByteBuf cut = req.copy(0, req.readableBytes() - 3);
        req.release();
        cut.setInt(FrameFormat.BODY_LENGTH_OFFSET, cut.readableBytes() - FrameFormat.HEADER_LENGTH);
        server.writeInbound(cut);
        assertError(5, Status.BAD_REQUEST, "Malformed request");
        server.writeInbound(echoRequest(6, "after"));
        nextResponse().release();
    }

    @Test
    void compressedBodyInflatingPastTheMaximumIsABadRequest() {
        RequestHead head =
                new RequestHead(EchoService.class.getName(), "", "", "echo", "Ljava/lang/String;", 0, Map.of());
        // 4 MiB of one letter compresses to a few KiB but inflates far past the 64 KiB maximum.
        encoder.writeOutbound(new OutboundRequest(
                14,
                0,
                Utf8TestSerializer.INSTANCE,
                new CompressionPolicy(Compression.GZIP, 0),
                head,
                new Object[] {"a".repeat(4 << 20)},
                null));
        ByteBuf bomb = encoder.readOutbound();
        assertThat(bomb.readableBytes()).isLessThan(MAX_BODY);

        server.writeInbound(bomb);
        assertError(14, Status.BAD_REQUEST, "decompressed");
    }

    @Test
    void wrongArgumentCountIsABadRequest() {
        server.writeInbound(request(7, 0, EchoService.class.getName(), "echo", "Ljava/lang/String;", "a", "b"));
        assertError(7, Status.BAD_REQUEST, "2 arguments");
    }

    @Test
    void oversizedRequestIsRefusedAndTheNextOneServed() {
        server.writeInbound(echoRequest(8, "x".repeat(MAX_BODY + 1)));
        assertError(8, Status.FRAME_TOO_LARGE, "");
        server.writeInbound(echoRequest(9, "small"));
        Frame ok = nextResponse();
        try {
            assertThat(ok.requestId()).isEqualTo(9);
            assertThat(ok.statusValue()).isEqualTo(Status.OK);
        } finally {
            ok.release();
        }
    }

    @Test
    void garbageClosesTheConnectionWithoutAnError() {
        server.writeInbound(Unpooled.copiedBuffer("SSH-2.0-OpenSSH_9.2\r\n and more bytes", StandardCharsets.US_ASCII));
        assertThat(server.isActive()).isFalse();
        server.checkException();
    }

    @Test
    void heartbeatIsAnsweredWithAHeartbeat() {
        encoder.writeOutbound(new Heartbeat(11, false));
        ByteBuf ping = encoder.readOutbound();
        server.writeInbound(ping);
        Frame pong = nextResponse();
        try {
            assertThat(pong.isHeartbeat()).isTrue();
            assertThat(pong.isResponse()).isTrue();
            assertThat(pong.requestId()).isEqualTo(11);
        } finally {
            pong.release();
        }
    }

    @Test
    void oneWayRequestRunsWithoutAnAnswer() {
        server.writeInbound(request(12, FrameFormat.FLAG_ONE_WAY, EchoService.class.getName(), "nothing", ""));
        assertThat(impl.nothingCallsSoFar()).isEqualTo(1);
        Object written = server.readOutbound();
        assertThat(written).isNull();
    }

    @Test
    void drainingServerRefusesNewRequests() {
        InFlight inFlight = new InFlight();
        EmbeddedChannel draining = serverChannel(inFlight);
        dev.courier.rpc.internal.WriteQueue.install(draining);
        try {
            assertThat(inFlight.drain(0, java.util.concurrent.TimeUnit.MILLISECONDS))
                    .isTrue();
            draining.writeInbound(echoRequest(13, "late"));
            ByteBuf bytes = draining.readOutbound();
            responses.writeInbound(bytes);
            Frame response = responses.readInbound();
            try {
                assertThat(response.statusValue()).isEqualTo(Status.SHUTTING_DOWN);
            } finally {
                response.release();
            }
        } finally {
            draining.finishAndReleaseAll();
        }
    }

    @Test
    void aRequestAnsweredOrRefusedLeavesNothingCountedForTheDrain() {
        InFlight inFlight = new InFlight();
        EmbeddedChannel channel = serverChannel(inFlight);
        dev.courier.rpc.internal.WriteQueue.install(channel);
        try {
            channel.writeInbound(echoRequest(21, "ran"));
            channel.writeInbound(request(22, 0, "no.such.Service", "echo", "Ljava/lang/String;", "refused"));
            for (int i = 0; i < 2; i++) {
                ByteBuf bytes = channel.readOutbound();
                assertThat(bytes).as("answer %d", i).isNotNull();
                bytes.release();
            }
            assertThat(inFlight.running()).isZero();
            assertThat(inFlight.drain(0, java.util.concurrent.TimeUnit.MILLISECONDS))
                    .isTrue();
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    private ByteBuf byId(long id, String service, String method, String params, Object... args) {
        RequestHead head = new RequestHead(service, "", "", method, params, 0, Map.of());
        ids.writeOutbound(
                new OutboundRequest(id, 0, Utf8TestSerializer.INSTANCE, CompressionPolicy.none(), head, args, null));
        return ids.readOutbound();
    }

    private String okValue(long id) {
        Frame response = nextResponse();
        try {
            assertThat(response.requestId()).isEqualTo(id);
            assertThat(response.statusValue()).isEqualTo(Status.OK);
            ResponseHead.skipAttachments(response.body());
            return Codec.readValue(response.body(), Utf8TestSerializer.INSTANCE, String.class);
        } finally {
            response.release();
        }
    }

    @Test
    void requestsByMethodIdAreAnsweredAsInFull() {
        ByteBuf first = byId(31, EchoService.class.getName(), "echo", "Ljava/lang/String;", "one");
        ByteBuf second = byId(32, EchoService.class.getName(), "echo", "Ljava/lang/String;", "two");
        ByteBuf full = echoRequest(0, "two");
        int fullLength = full.readableBytes();
        full.release();
        assertThat(second.readableBytes())
                .as("the second request carries no names")
                .isLessThan(fullLength - EchoService.class.getName().length());
        server.writeInbound(first);
        server.writeInbound(second);
        assertThat(okValue(31)).isEqualTo("one");
        assertThat(okValue(32)).isEqualTo("two");
    }

    @Test
    void aRequestByAnUnboundMethodIdIsABadRequest() {
        ByteBuf both = byId(33, EchoService.class.getName(), "echo", "Ljava/lang/String;", "x");
        // drop the method frame in front of the request
        int bindingLength = FrameFormat.HEADER_LENGTH + both.getInt(FrameFormat.BODY_LENGTH_OFFSET);
        server.writeInbound(both.skipBytes(bindingLength));
        assertError(33, Status.BAD_REQUEST, "method id 1, which this connection has not bound");
    }

    @Test
    void aMethodIdOfAServiceOrMethodNotExportedIsRefusedOnEveryRequest() {
        for (long id = 34; id < 36; id++) {
            server.writeInbound(byId(id, "com.example.Nope", "echo", "Ljava/lang/String;", "x"));
            assertError(id, Status.SERVICE_NOT_FOUND, "com.example.Nope");
            server.writeInbound(byId(id + 10, EchoService.class.getName(), "echo", "I", "x"));
            assertError(id + 10, Status.METHOD_NOT_FOUND, "echo(I)");
        }
    }

    @Test
    void aMalformedMethodFrameClosesTheConnection() {
        for (long badId : new long[] {0, dev.courier.rpc.internal.protocol.MethodIds.MAX + 1L, -1}) {
            EmbeddedChannel channel = serverChannel(new InFlight());
            try {
                channel.writeInbound(methodFrame(badId, EchoService.class.getName()));
                assertThat(channel.isActive()).as("id %d", badId).isFalse();
                assertThat(channel.<Object>readOutbound()).as("never answered").isNull();
            } finally {
                channel.finishAndReleaseAll();
            }
        }
        server.writeInbound(methodFrame(1, null)); // names no service
        assertThat(server.isActive()).isFalse();
    }

    /** A method frame binding {@code id} to {@code service}'s echo; a null service leaves the body truncated. */
    private static ByteBuf methodFrame(long id, String service) {
        ByteBuf frame = Unpooled.buffer();
        frame.writeShort(FrameFormat.MAGIC);
        frame.writeByte(FrameFormat.VERSION);
        frame.writeByte(FrameFormat.FLAG_METHOD_DEF);
        frame.writeZero(4);
        frame.writeLong(id);
        frame.writeInt(0);
        if (service != null) {
            for (String s : new String[] {service, "", "", "echo", "Ljava/lang/String;"}) {
                Codec.writeString(frame, s);
            }
        } else {
            frame.writeByte(6); // a string of 5 bytes that are not there
        }
        frame.setInt(FrameFormat.BODY_LENGTH_OFFSET, frame.readableBytes() - FrameFormat.HEADER_LENGTH);
        return frame;
    }
}
