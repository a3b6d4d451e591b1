package dev.courier.serialization;

import java.util.Objects;

/**
 * Which codec compresses a body: {@code codec} for bodies of at least {@code thresholdBytes}, none for
 * smaller ones (where compression costs more than it saves). Immutable and thread-safe.
 */
public record CompressionPolicy(Compression codec, int thresholdBytes) {

    public CompressionPolicy {
        Objects.requireNonNull(codec, "codec");
        if (thresholdBytes < 0) {
            throw new IllegalArgumentException("thresholdBytes < 0: " + thresholdBytes);
        }
    }

    /** A policy that never compresses. */
    public static CompressionPolicy none() {
        return new CompressionPolicy(Compression.NONE, 0);
    }

    /** The codec for a body of {@code bodyLength} bytes. */
    public Compression choose(int bodyLength) {
        return bodyLength >= thresholdBytes ? codec : Compression.NONE;
    }
}
