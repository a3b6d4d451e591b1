package dev.courier.serialization;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CompressionTest {

    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    private static byte[] compressible(int size) {
        byte[] text = "the quick brown fox jumps over the lazy dog ✓ "
                .repeat(size / 40 + 1)
                .getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[size];
        System.arraycopy(text, 0, out, 0, size);
        return out;
    }

    private static byte[] roundTrip(Compression codec, byte[] data, boolean direct) {
        ByteBuf in = direct ? ALLOC.directBuffer().writeBytes(data) : Unpooled.wrappedBuffer(data);
        ByteBuf compressed = codec.compress(in, ALLOC);
        try {
            assertThat(in.readerIndex()).as("input untouched").isZero();
            assertThat(in.refCnt()).as("input not released").isPositive();
            ByteBuf back = codec.decompress(compressed, data.length, ALLOC);
            try {
                assertThat(compressed.readerIndex()).isZero();
                return ByteBufUtil.getBytes(back);
            } finally {
                back.release();
            }
        } finally {
            compressed.release();
            in.release();
        }
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void everyCodecRoundTripsEmptySmallLargeAndRandomBodies(Compression codec) {
        byte[] random = new byte[100_000];
        new Random(1).nextBytes(random);
        for (byte[] data :
                new byte[][] {new byte[0], {42}, compressible(1000), compressible(3 * 1024 * 1024), random}) {
            assertThat(roundTrip(codec, data, false)).isEqualTo(data);
            assertThat(roundTrip(codec, data, true)).isEqualTo(data);
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = Compression.class,
            names = {"GZIP", "LZ4"})
    void realCodecsShrinkRepetitiveBodies(Compression codec) {
        ByteBuf in = Unpooled.wrappedBuffer(compressible(64 * 1024));
        ByteBuf out = codec.compress(in, ALLOC);
        try {
            assertThat(out.readableBytes()).isLessThan(64 * 1024 / 4);
        } finally {
            out.release();
            in.release();
        }
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void bodyDecompressingPastTheMaximumFailsAndLeaksNothing(Compression codec) {
        byte[] bomb = new byte[8 * 1024 * 1024]; // zeros: a few KiB compressed
        ByteBuf in = Unpooled.wrappedBuffer(bomb);
        ByteBuf compressed = codec.compress(in, ALLOC);
        try {
            assertThatThrownBy(() -> codec.decompress(compressed, 1024 * 1024, ALLOC))
                    .isInstanceOf(CompressionException.class)
                    .hasMessageContaining("maximum");
            ByteBuf exact = codec.decompress(compressed, bomb.length, ALLOC);
            assertThat(exact.readableBytes()).isEqualTo(bomb.length);
            exact.release();
        } finally {
            compressed.release();
            in.release();
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = Compression.class,
            names = {"GZIP", "LZ4"})
    void corruptCompressedBodiesFailWithCompressionException(Compression codec) {
        ByteBuf in = Unpooled.wrappedBuffer(compressible(10_000));
        ByteBuf compressed = codec.compress(in, ALLOC);
        byte[] bytes = ByteBufUtil.getBytes(compressed);
        compressed.release();
        in.release();
        Random random = new Random(3);
        for (int i = 0; i < 300; i++) {
            byte[] corrupt = bytes.clone();
            corrupt[random.nextInt(corrupt.length)] ^= (byte) (1 + random.nextInt(255));
            ByteBuf buf = Unpooled.wrappedBuffer(corrupt);
            try {
                ByteBuf out = codec.decompress(buf, 20_000, ALLOC);
                out.release(); // some flips still decode (into different bytes)
            } catch (CompressionException expected) {
                // the typed failure
            } finally {
                buf.release();
            }
        }
        ByteBuf truncated = Unpooled.wrappedBuffer(bytes, 0, bytes.length / 2);
        assertThatThrownBy(() -> codec.decompress(truncated, 20_000, ALLOC)).isInstanceOf(CompressionException.class);
        truncated.release();
    }

    @Test
    void idsAreStableAndUnknownIdsAreRefused() {
        assertThat(Compression.NONE.id()).isEqualTo((byte) 0);
        assertThat(Compression.GZIP.id()).isEqualTo((byte) 1);
        assertThat(Compression.LZ4.id()).isEqualTo((byte) 2);
        for (Compression c : Compression.values()) {
            assertThat(Compression.byId(c.id())).isSameAs(c);
        }
        assertThatThrownBy(() -> Compression.byId((byte) 9))
                .isInstanceOf(CompressionException.class)
                .hasMessageContaining("9");
    }

    @Test
    void policyCompressesOnlyBodiesAtOrAboveTheThreshold() {
        CompressionPolicy policy = new CompressionPolicy(Compression.LZ4, 1024);
        assertThat(policy.choose(0)).isEqualTo(Compression.NONE);
        assertThat(policy.choose(1023)).isEqualTo(Compression.NONE);
        assertThat(policy.choose(1024)).isEqualTo(Compression.LZ4);
        assertThat(policy.choose(1 << 24)).isEqualTo(Compression.LZ4);
        assertThat(CompressionPolicy.none().choose(Integer.MAX_VALUE)).isEqualTo(Compression.NONE);
        assertThatThrownBy(() -> new CompressionPolicy(Compression.GZIP, -1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
