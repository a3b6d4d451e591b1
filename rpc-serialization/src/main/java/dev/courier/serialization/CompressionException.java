package dev.courier.serialization;

/**
 * A body could not be compressed or decompressed: unknown codec id, corrupt compressed bytes, or a
 * decompressed size past the caller's maximum (a decompression bomb).
 */
public class CompressionException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public CompressionException(String message) {
        super(message);
    }

    public CompressionException(String message, Throwable cause) {
        super(message, cause);
    }
}
