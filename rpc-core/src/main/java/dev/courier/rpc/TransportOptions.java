package dev.courier.rpc;

import dev.courier.rpc.internal.protocol.FrameFormat;

import java.time.Duration;
import java.util.Objects;

/**
 * The connection settings shared by {@link RpcClient}, {@link RpcServer} and {@link Courier}: TLS, the
 * client's credentials, timeouts, the frame limit, heartbeats, connections per address and I/O threads.
 * Every value is checked where it is set, with one rule per setting for every side.
 *
 * <pre>{@code
 * TransportOptions transport = TransportOptions.builder()
 *         .tls(TlsOptions.builder().trust(Path.of("ca.pem")).build())
 *         .token("s3cret")                                  // bearer token sent once per connection
 *         .connectTimeout(Duration.ofSeconds(2)).build();
 * RpcClient client = RpcClient.builder().transport(transport).build();
 * }</pre>
 *
 * <p>Each side reads the settings that concern it: {@code connectTimeout}, {@code connectionsPerAddress}
 * and {@code token} only matter to a client.
 *
 * <p>Immutable and thread-safe.
 */
public final class TransportOptions {

    private static final TransportOptions DEFAULTS = builder().build();

    private final TlsOptions tls;
    private final String token;
    private final Duration connectTimeout;
    private final Duration handshakeTimeout;
    private final Duration heartbeatInterval;
    private final int maxBodyLength;
    private final int connectionsPerAddress;
    private final int ioThreads;

    private TransportOptions(Builder b) {
        this.tls = b.tls;
        this.token = b.token;
        this.connectTimeout = b.connectTimeout;
        this.handshakeTimeout = b.handshakeTimeout;
        this.heartbeatInterval = b.heartbeatInterval;
        this.maxBodyLength = b.maxBodyLength;
        this.connectionsPerAddress = b.connectionsPerAddress;
        this.ioThreads = b.ioThreads;
    }

    /** Plaintext, no token, the default timeouts and limits. */
    public static TransportOptions defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.tls = tls;
        b.token = token;
        b.connectTimeout = connectTimeout;
        b.handshakeTimeout = handshakeTimeout;
        b.heartbeatInterval = heartbeatInterval;
        b.maxBodyLength = maxBodyLength;
        b.connectionsPerAddress = connectionsPerAddress;
        b.ioThreads = ioThreads;
        return b;
    }

    /** TLS settings, or {@code null} for plaintext. */
    public TlsOptions tls() {
        return tls;
    }

    /** The bearer token a client presents on each connection, or {@code null}. */
    public String token() {
        return token;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** How long the TLS handshake and the authentication exchange of a new connection may take together. */
    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    public Duration heartbeatInterval() {
        return heartbeatInterval;
    }

    /** The largest frame body accepted (bytes). */
    public int maxBodyLength() {
        return maxBodyLength;
    }

    public int connectionsPerAddress() {
        return connectionsPerAddress;
    }

    /** I/O threads, or 0 for the side's default (a client: up to 4; a server: one per core). */
    public int ioThreads() {
        return ioThreads;
    }

    /** {@link #ioThreads()}, with 0 replaced by {@code sideDefault}. */
    public int ioThreadsOr(int sideDefault) {
        return ioThreads == 0 ? sideDefault : ioThreads;
    }

    @Override
    public String toString() {
        return "TransportOptions[tls=" + tls + ", token=" + (token == null ? "none" : "set") + ", connectTimeout="
                + connectTimeout + ", handshakeTimeout=" + handshakeTimeout + ", heartbeatInterval=" + heartbeatInterval
                + ", maxBodyLength=" + maxBodyLength + ", connectionsPerAddress=" + connectionsPerAddress
                + ", ioThreads=" + ioThreads + "]";
    }

    /** Builds {@link TransportOptions}; every setter checks its value at once. Not thread-safe. */
    public static final class Builder {
        private TlsOptions tls;
        private String token;
        private Duration connectTimeout = Duration.ofSeconds(3);
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private Duration heartbeatInterval = Duration.ofSeconds(10);
        private int maxBodyLength = FrameFormat.DEFAULT_MAX_BODY_LENGTH;
        private int connectionsPerAddress = 1;
        private int ioThreads;

        private Builder() {}

        /** TLS on every connection ({@code null}: plaintext, the default). */
        public Builder tls(TlsOptions tls) {
            this.tls = tls;
            return this;
        }

        /**
         * The bearer token a client presents once per connection, before its first call ({@code null}:
         * none). Send it over TLS only: in plaintext anyone on the path can read it.
         */
        public Builder token(String token) {
            if (token != null && (token.isBlank() || token.chars().anyMatch(Character::isWhitespace))) {
                throw new IllegalArgumentException("token must be non-empty and contain no whitespace");
            }
            this.token = token;
            return this;
        }

        /** How long a client waits for a TCP connection (default 3 s; at most about 24 days). */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = positiveMillis(connectTimeout, "connectTimeout");
            return this;
        }

        /** How long the TLS handshake and authentication of a new connection may take (default 10 s). */
        public Builder handshakeTimeout(Duration handshakeTimeout) {
            this.handshakeTimeout = positiveMillis(handshakeTimeout, "handshakeTimeout");
            return this;
        }

        /**
         * How often an idle client connection sends a heartbeat (default 10 s); either side closes a
         * connection on which nothing arrived for 3 intervals. Client and server should agree.
         */
        public Builder heartbeatInterval(Duration heartbeatInterval) {
            this.heartbeatInterval = positiveMillis(heartbeatInterval, "heartbeatInterval");
            return this;
        }

        /** The largest frame body accepted (default 16 MiB); a larger frame is refused and skipped. */
        public Builder maxBodyLength(int maxBodyLength) {
            if (maxBodyLength <= 0 || maxBodyLength > Integer.MAX_VALUE - FrameFormat.HEADER_LENGTH) {
                throw new IllegalArgumentException("maxBodyLength must be > 0 and at most "
                        + (Integer.MAX_VALUE - FrameFormat.HEADER_LENGTH) + ", got " + maxBodyLength);
            }
            this.maxBodyLength = maxBodyLength;
            return this;
        }

        /** Connections a client opens to each provider address (default 1); calls are spread over them. */
        public Builder connectionsPerAddress(int connections) {
            if (connections <= 0) {
                throw new IllegalArgumentException("connectionsPerAddress must be > 0, got " + connections);
            }
            this.connectionsPerAddress = connections;
            return this;
        }

        /** I/O threads (default 0: a client uses up to 4, a server one per core). */
        public Builder ioThreads(int ioThreads) {
            if (ioThreads < 0) {
                throw new IllegalArgumentException("ioThreads must be > 0, or 0 for the default; got " + ioThreads);
            }
            this.ioThreads = ioThreads;
            return this;
        }

        public TransportOptions build() {
            return new TransportOptions(this);
        }

        private static Duration positiveMillis(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.toMillis() <= 0 || d.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(
                        name + " must be from 1 ms to " + Integer.MAX_VALUE + " ms, got " + d);
            }
            return d;
        }
    }
}
