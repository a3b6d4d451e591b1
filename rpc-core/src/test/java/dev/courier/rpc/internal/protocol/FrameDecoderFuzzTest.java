package dev.courier.rpc.internal.protocol;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes {@link FrameDecoder} on an {@link EmbeddedChannel}: arbitrary bytes, split into arbitrary
 * chunks, either decode into {@link InboundFrame}s or fail with the one documented error,
 * {@link ProtocolException} (after which the decoder discards the stream). The heads and error
 * bodies inside decoded frames parse or fail with {@link ProtocolException} too. Every buffer is
 * released: the chunks written in and every decoded frame (the decoder owns what it reads).
 */
class FrameDecoderFuzzTest {

    private static final int MAX_BODY = 4096;

    @FuzzTest
    void decodesFramesOrFailsWithAProtocolExceptionAndLeaksNothing(FuzzedDataProvider data) {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(MAX_BODY));
        List<ByteBuf> written = new ArrayList<>();
        try {
            while (data.remainingBytes() > 0) {
                byte[] chunk = data.consumeBytes(data.consumeInt(1, 256));
                ByteBuf buf = Unpooled.buffer(chunk.length).writeBytes(chunk);
                written.add(buf);
                try {
                    channel.writeInbound(buf);
                } catch (ProtocolException expected) {
                    // The documented failure: the stream is discarded from here on.
                }
                InboundFrame frame;
                while ((frame = channel.readInbound()) != null) {
                    inspect(frame);
                }
            }
        } finally {
            channel.finishAndReleaseAll();
        }
        for (ByteBuf buf : written) {
            assertThat(buf.refCnt()).as("written chunk released by the decoder").isZero();
        }
    }

    private static void inspect(InboundFrame inbound) {
        if (!(inbound instanceof Frame frame)) {
            assertThat(((MalformedFrame) inbound).status()).isNotNull();
            return;
        }
        try {
            assertThat(frame.body().readableBytes()).isLessThanOrEqualTo(MAX_BODY);
            ByteBuf body = frame.body().duplicate();
            try {
                if (frame.isResponse()) {
                    ResponseHead.readTiming(frame.body().duplicate());
                    ResponseHead.readAttachments(body);
                    if (frame.statusValue() != Status.OK) {
                        ErrorInfo.readFrom(body);
                    }
                } else if (frame.isMethodDefinition()) {
                    assertThat(MethodKey.readFrom(body).service()).isNotNull();
                } else if (frame.hasMethodId()) {
                    Codec.readVarInt(body);
                    RequestHead head = RequestHead.readRestFrom(new MethodKey("s", "", "", "m", ""), body);
                    assertThat(head.attachments()).isNotNull();
                } else if (!frame.isHeartbeat()) {
                    RequestHead head = RequestHead.readFrom(body);
                    assertThat(head.service()).isNotNull();
                }
            } catch (ProtocolException expected) {
                // A corrupt head inside a well-framed body.
            }
        } finally {
            frame.release();
            assertThat(frame.body().refCnt()).isZero();
        }
    }
}
