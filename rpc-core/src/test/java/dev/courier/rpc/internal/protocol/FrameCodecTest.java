package dev.courier.rpc.internal.protocol;

import dev.courier.serialization.CompressionPolicy;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FrameCodecTest {

    private static final int MAX_BODY = 64 * 1024;

    private final EmbeddedChannel encoder = new EmbeddedChannel(FrameEncoder.INSTANCE);
    private final EmbeddedChannel decoder = new EmbeddedChannel(new FrameDecoder(MAX_BODY));
    private final List<Object> decoded = new ArrayList<>();

    @AfterEach
    void releaseEverything() {
        for (Object o : decoded) {
            if (o instanceof Frame f) {
                f.release();
            }
        }
        encoder.finishAndReleaseAll();
        decoder.finishAndReleaseAll();
    }

    private static OutboundRequest request(long id, String... args) {
        RequestHead head = new RequestHead(
                "com.example.Greeter", "1.0", "g", "sayHello", "Ljava/lang/String;", 3000, Map.of("trace-id", "abc"));
        return new OutboundRequest(id, 0, Utf8TestSerializer.INSTANCE, CompressionPolicy.none(), head, args, null);
    }

    private ByteBuf encode(Object message) {
        assertThat(encoder.writeOutbound(message)).isTrue();
        return encoder.readOutbound();
    }

    private void drainDecoded() {
        Object o;
        while ((o = decoder.readInbound()) != null) {
            decoded.add(o);
        }
    }

    @Test
    void requestRoundTripsThroughEncoderAndDecoder() {
        decoder.writeInbound(encode(request(7, "Ada")));
        drainDecoded();

        assertThat(decoded).hasSize(1);
        Frame frame = (Frame) decoded.get(0);
        assertThat(frame.requestId()).isEqualTo(7);
        assertThat(frame.isResponse()).isFalse();
        assertThat(frame.serializerId()).isEqualTo((byte) 42);
        RequestHead head = RequestHead.readFrom(frame.body());
        assertThat(head.service()).isEqualTo("com.example.Greeter");
        assertThat(head.version()).isEqualTo("1.0");
        assertThat(head.group()).isEqualTo("g");
        assertThat(head.method()).isEqualTo("sayHello");
        assertThat(head.params()).isEqualTo("Ljava/lang/String;");
        assertThat(head.timeoutMillis()).isEqualTo(3000);
        assertThat(head.attachments()).containsEntry("trace-id", "abc");
        assertThat(Codec.readVarInt(frame.body())).isEqualTo(1);
        assertThat(Codec.readValue(frame.body(), Utf8TestSerializer.INSTANCE, String.class))
                .isEqualTo("Ada");
        assertThat(frame.body().isReadable()).isFalse();
    }

    @Test
    void frameSplitIntoSingleBytesIsReassembled() {
        ByteBuf bytes = encode(request(1, "split me"));
        try {
            while (bytes.isReadable()) {
                decoder.writeInbound(bytes.readRetainedSlice(1));
                if (bytes.isReadable()) {
                    Object partial = decoder.readInbound();
                    assertThat(partial).isNull();
                }
            }
        } finally {
            bytes.release();
        }
        drainDecoded();
        assertThat(decoded).singleElement().isInstanceOf(Frame.class);
    }

    @Test
    void coalescedFramesAreSplit() {
        ByteBuf both = Unpooled.buffer();
        ByteBuf first = encode(request(1, "one"));
        ByteBuf second = encode(new Heartbeat(2, false));
        ByteBuf third = encode(request(3, "three"));
        both.writeBytes(first).writeBytes(second).writeBytes(third);
        first.release();
        second.release();
        third.release();

        decoder.writeInbound(both);
        drainDecoded();

        assertThat(decoded).hasSize(3);
        assertThat(((Frame) decoded.get(0)).requestId()).isEqualTo(1);
        assertThat(((Frame) decoded.get(1)).isHeartbeat()).isTrue();
        assertThat(((Frame) decoded.get(2)).requestId()).isEqualTo(3);
    }

    @Test
    void oversizedFrameBecomesMalformedFrameWithItsRequestIdAndTheStreamGoesOn() {
        ByteBuf big = encode(request(99, "x".repeat(MAX_BODY * 3)));
        ByteBuf next = encode(request(100, "small"));
        // Deliver the oversized frame in pieces, as a socket would.
        while (big.isReadable()) {
            decoder.writeInbound(big.readRetainedSlice(Math.min(8192, big.readableBytes())));
        }
        big.release();
        decoder.writeInbound(next);
        drainDecoded();

        assertThat(decoded).hasSize(2);
        MalformedFrame tooLarge = (MalformedFrame) decoded.get(0);
        assertThat(tooLarge.requestId()).isEqualTo(99);
        assertThat(tooLarge.status()).isEqualTo(Status.FRAME_TOO_LARGE);
        assertThat(((Frame) decoded.get(1)).requestId()).isEqualTo(100);
    }

    @Test
    void badMagicIsAProtocolError() {
        ByteBuf garbage = Unpooled.buffer();
        garbage.writeBytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> decoder.writeInbound(garbage))
                .isInstanceOf(DecoderException.class)
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("Bad magic");
        // Nothing after garbage is decoded, and closing does not decode it again.
        assertThat(decoder.finish()).isFalse();
    }

    @Test
    void unsupportedVersionBecomesBadRequestWithRequestId() {
        ByteBuf frame = encode(request(5, "v"));
        frame.setByte(FrameFormat.VERSION_OFFSET, 9);
        decoder.writeInbound(frame);
        drainDecoded();

        MalformedFrame m = (MalformedFrame) decoded.get(0);
        assertThat(m.requestId()).isEqualTo(5);
        assertThat(m.status()).isEqualTo(Status.BAD_REQUEST);
        assertThat(m.reason()).contains("version 9");
    }

    @Test
    void truncatedFrameIsHeldUntilCompleteAndDroppedCleanlyOnClose() {
        ByteBuf frame = encode(request(5, "truncated"));
        ByteBuf head = frame.readRetainedSlice(frame.readableBytes() - 3);
        frame.release();
        decoder.writeInbound(head);
        drainDecoded();
        assertThat(decoded).isEmpty();
        assertThat(decoder.finish()).isFalse();
    }

    @Test
    void negativeBodyLengthIsAProtocolError() {
        ByteBuf frame = encode(new Heartbeat(1, false));
        frame.setInt(FrameFormat.BODY_LENGTH_OFFSET, -5);
        assertThatThrownBy(() -> decoder.writeInbound(frame)).isInstanceOf(ProtocolException.class);
    }

    @Test
    void unserializableArgumentReportsToTheRequestAndWritesNothing() {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        RequestHead head = new RequestHead("S", "", "", "m", "I", 0, Map.of());
        OutboundRequest bad = new OutboundRequest(
                1, 0, Utf8TestSerializer.INSTANCE, CompressionPolicy.none(), head, new Object[] {42}, failure::set);

        encoder.writeOutbound(bad);

        assertThat(failure.get()).hasMessageContaining("java.lang.Integer");
        ByteBuf written = encoder.readOutbound();
        assertThat(written == null || !written.isReadable()).isTrue();
        if (written != null) {
            written.release();
        }
    }

    @Test
    void unserializableResultIsReplacedByServerErrorResponse() {
        ByteBuf bytes =
                encode(OutboundResponse.ok(8, Utf8TestSerializer.INSTANCE, CompressionPolicy.none(), 3.14, Map.of()));
        decoder.writeInbound(bytes);
        drainDecoded();

        Frame frame = (Frame) decoded.get(0);
        assertThat(frame.requestId()).isEqualTo(8);
        assertThat(frame.statusValue()).isEqualTo(Status.SERVER_ERROR);
        ResponseHead.skipAttachments(frame.body());
        assertThat(ErrorInfo.readFrom(frame.body()).message()).contains("could not be serialized");
    }

    @Test
    void timedResponseCarriesTheServersQueueAndExecutionTimeAsAttachments() {
        decoder.writeInbound(encode(OutboundResponse.ok(
                9,
                Utf8TestSerializer.INSTANCE,
                CompressionPolicy.none(),
                "hi",
                Map.of("region", "eu"),
                0,
                1_234_567_890_123L)));
        decoder.writeInbound(encode(OutboundResponse.ok(
                10, Utf8TestSerializer.INSTANCE, CompressionPolicy.none(), "hi", Map.of("region", "eu"), 42, 7)));
        drainDecoded();

        Frame first = (Frame) decoded.get(0);
        assertThat(ResponseHead.readTiming(first.body()))
                .isEqualTo(new dev.courier.rpc.ServerTiming(0, 1_234_567_890_123L));
        assertThat(Codec.readValue(first.body(), Utf8TestSerializer.INSTANCE, Object.class))
                .isEqualTo("hi");
        Frame second = (Frame) decoded.get(1);
        assertThat(ResponseHead.readAttachments(second.body()))
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("region", "eu", ResponseHead.QUEUE_KEY, "42", ResponseHead.EXEC_KEY, "7"));
        assertThat(Codec.readValue(second.body(), Utf8TestSerializer.INSTANCE, Object.class))
                .isEqualTo("hi");
    }

    @Test
    void anErrorOfAMethodThatRanIsTimedAndAnUntimedResponseHasNoTiming() {
        decoder.writeInbound(encode(OutboundResponse.error(11, Status.REMOTE_EXCEPTION, ErrorInfo.of("boom"), 5, 6)));
        decoder.writeInbound(encode(OutboundResponse.error(12, Status.SERVICE_NOT_FOUND, ErrorInfo.of("none"))));
        drainDecoded();

        Frame timed = (Frame) decoded.get(0);
        assertThat(ResponseHead.readTiming(timed.body())).isEqualTo(new dev.courier.rpc.ServerTiming(5, 6));
        assertThat(ErrorInfo.readFrom(timed.body()).message()).isEqualTo("boom");
        Frame untimed = (Frame) decoded.get(1);
        assertThat(ResponseHead.readTiming(untimed.body())).isNull();
        assertThat(ErrorInfo.readFrom(untimed.body()).message()).isEqualTo("none");
    }

    @Test
    void aTimingValueThatIsNotAShortDecimalIsAProtocolError() {
        for (String bad : new String[] {"12a", "", "-5", "1234567890123456789"}) {
            ByteBuf body = Unpooled.buffer();
            try {
                Codec.writeVarInt(body, 2);
                Codec.writeString(body, ResponseHead.QUEUE_KEY);
                Codec.writeString(body, "1");
                Codec.writeString(body, ResponseHead.EXEC_KEY);
                Codec.writeString(body, bad);
                assertThatThrownBy(() -> ResponseHead.readTiming(body))
                        .as("exec value '%s'", bad)
                        .isInstanceOf(ProtocolException.class);
            } finally {
                body.release();
            }
        }
    }

    @Test
    void timingAttachmentsAreBoundedLikeAnyOther() {
        ByteBuf body = Unpooled.buffer();
        try {
            Codec.writeVarInt(body, 1 << 28);
            assertThatThrownBy(() -> ResponseHead.readTiming(body))
                    .isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("out of range");
            body.clear();
            Codec.writeVarInt(body, 1);
            Codec.writeString(body, null);
            Codec.writeString(body, "1");
            assertThatThrownBy(() -> ResponseHead.readTiming(body))
                    .isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("Null attachment key");
            body.clear();
            Codec.writeVarInt(body, 1);
            Codec.writeString(body, ResponseHead.QUEUE_KEY);
            Codec.writeVarInt(body, 1_000_000);
            assertThatThrownBy(() -> ResponseHead.readTiming(body))
                    .isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("exceeds");
        } finally {
            body.release();
        }
    }

    @Test
    void errorResponseCarriesClassMessageAndStack() {
        IllegalStateException boom = new IllegalStateException("boom");
        decoder.writeInbound(encode(OutboundResponse.error(3, Status.REMOTE_EXCEPTION, ErrorInfo.of(boom))));
        drainDecoded();

        Frame frame = (Frame) decoded.get(0);
        assertThat(frame.isResponse()).isTrue();
        ResponseHead.skipAttachments(frame.body());
        ErrorInfo error = ErrorInfo.readFrom(frame.body());
        assertThat(error.className()).isEqualTo(IllegalStateException.class.getName());
        assertThat(error.message()).isEqualTo("boom");
        assertThat(error.stack()).hasSameSizeAs(boom.getStackTrace());
        for (int i = 0; i < error.stack().length; i++) {
            StackTraceElement sent = boom.getStackTrace()[i];
            StackTraceElement got = error.stack()[i];
            assertThat(got.getClassName()).isEqualTo(sent.getClassName());
            assertThat(got.getMethodName()).isEqualTo(sent.getMethodName());
            assertThat(got.getFileName()).isEqualTo(sent.getFileName());
            assertThat(got.getLineNumber()).isEqualTo(sent.getLineNumber());
        }
    }

    @Test
    void truncatedStringInBodyIsAProtocolError() {
        ByteBuf body = Unpooled.buffer();
        try {
            Codec.writeVarInt(body, 100);
            body.writeBytes(new byte[10]);
            assertThatThrownBy(() -> Codec.readString(body)).isInstanceOf(ProtocolException.class);
        } finally {
            body.release();
        }
    }

    @Test
    void anErrorClaimingMoreStackFramesThanItsBytesHoldIsRefusedBeforeAllocating() {
        ByteBuf body = Unpooled.buffer();
        try {
            Codec.writeString(body, "x.Boom");
            Codec.writeString(body, "boom");
            Codec.writeVarInt(body, 4000); // within the depth limit, but only 14 bytes follow: two frames at most
            body.writeZero(14);
            assertThatThrownBy(() -> ErrorInfo.readFrom(body))
                    .isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("Stack depth 4000 out of range");
        } finally {
            body.release();
        }
    }
}
