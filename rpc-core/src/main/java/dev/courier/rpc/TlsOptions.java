package dev.courier.rpc;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * TLS settings of a client or a server, from PEM files: this end's certificate chain and private key,
 * and the CA certificates it trusts for the peer.
 *
 * <pre>{@code
 * // server with mutual TLS: clients must present a certificate signed by ca.pem
 * TlsOptions server = TlsOptions.builder().keyCertChain(Path.of("server.pem"), Path.of("server-key.pem"))
 *         .trust(Path.of("ca.pem")).clientAuth(TlsOptions.ClientAuth.REQUIRE).build();
 * // client presenting its own certificate
 * TlsOptions client = TlsOptions.builder().trust(Path.of("ca.pem"))
 *         .keyCertChain(Path.of("alice.pem"), Path.of("alice-key.pem")).build();
 * }</pre>
 *
 * <p>A server needs a certificate and key; a client needs the CA it trusts (without one it trusts the
 * JDK's default CAs) and a certificate only for mutual TLS. A client checks that the server's
 * certificate names the host it connects to (subject alternative name), unless
 * {@link Builder#verifyHostname(boolean)} turns that off.
 *
 * <p>The provider is OpenSSL (BoringSSL from {@code netty-tcnative-boringssl-static}) when its native
 * library loads on this machine, the JDK's otherwise ({@link Provider#AUTO}); the one in use is
 * logged when a client or server starts.
 *
 * <p>Immutable and thread-safe; build with {@link #builder()}.
 */
public final class TlsOptions {

    /** Whether a server asks clients for a certificate. */
    public enum ClientAuth {
        /** No client certificate is asked for. */
        NONE,
        /** A client certificate is checked if the client presents one. */
        OPTIONAL,
        /** A client without a certificate signed by a trusted CA is refused (mutual TLS). */
        REQUIRE
    }

    /** Which TLS implementation to use. */
    public enum Provider {
        /** OpenSSL when it loads, else the JDK. */
        AUTO,
        /** OpenSSL (BoringSSL); fails if its native library does not load. */
        OPENSSL,
        /** The JDK's own TLS. */
        JDK
    }

    private final Path certChain;
    private final Path privateKey;
    private final Path trust;
    private final ClientAuth clientAuth;
    private final Provider provider;
    private final boolean verifyHostname;

    private TlsOptions(Builder b) {
        this.certChain = b.certChain;
        this.privateKey = b.privateKey;
        this.trust = b.trust;
        this.clientAuth = b.clientAuth;
        this.provider = b.provider;
        this.verifyHostname = b.verifyHostname;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Which implementation {@code provider} means on this machine, e.g. {@code "OpenSSL (BoringSSL)"} or {@code "JDK"}.
     */
    public static String describe(Provider provider) {
        return dev.courier.rpc.internal.transport.Tls.describe(provider);
    }

    /** This end's certificate chain (PEM), or {@code null}. */
    public Path certChain() {
        return certChain;
    }

    /** This end's private key (PEM, PKCS#8), or {@code null}. */
    public Path privateKey() {
        return privateKey;
    }

    /** The CA certificates (PEM) trusted for the peer, or {@code null} for the JDK's defaults. */
    public Path trust() {
        return trust;
    }

    public ClientAuth clientAuth() {
        return clientAuth;
    }

    public Provider provider() {
        return provider;
    }

    public boolean verifyHostname() {
        return verifyHostname;
    }

    @Override
    public String toString() {
        return "TlsOptions[cert=" + certChain + ", trust=" + trust + ", clientAuth=" + clientAuth + ", provider="
                + provider + ", verifyHostname=" + verifyHostname + "]";
    }

    /** Builds {@link TlsOptions}; not thread-safe. */
    public static final class Builder {
        private Path certChain;
        private Path privateKey;
        private Path trust;
        private ClientAuth clientAuth = ClientAuth.NONE;
        private Provider provider = Provider.AUTO;
        private boolean verifyHostname = true;

        private Builder() {}

        /** This end's certificate chain and its private key, both PEM files. */
        public Builder keyCertChain(Path certChain, Path privateKey) {
            this.certChain = Objects.requireNonNull(certChain, "certChain");
            this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
            return this;
        }

        /** The CA certificates (a PEM file) that a peer's certificate must be signed by. */
        public Builder trust(Path caCertificates) {
            this.trust = Objects.requireNonNull(caCertificates, "caCertificates");
            return this;
        }

        /** On a server: whether clients must present a certificate (default {@link ClientAuth#NONE}). */
        public Builder clientAuth(ClientAuth clientAuth) {
            this.clientAuth = Objects.requireNonNull(clientAuth, "clientAuth");
            return this;
        }

        public Builder provider(Provider provider) {
            this.provider = Objects.requireNonNull(provider, "provider");
            return this;
        }

        /** On a client: whether the server's certificate must name the host connected to (default true). */
        public Builder verifyHostname(boolean verifyHostname) {
            this.verifyHostname = verifyHostname;
            return this;
        }

        /**
         * Checks the settings together and builds them.
         *
         * @throws IllegalArgumentException naming every problem: a file that is not readable, client
         *                                  authentication without a CA to check clients against
         */
        public TlsOptions build() {
            List<String> problems = new ArrayList<>();
            readable(certChain, "certificate chain", problems);
            readable(privateKey, "private key", problems);
            readable(trust, "trusted CA file", problems);
            if (clientAuth != ClientAuth.NONE && trust == null) {
                problems.add("clientAuth " + clientAuth + " needs trust(caFile) to check client certificates against");
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("Bad TLS settings: " + String.join("; ", problems));
            }
            return new TlsOptions(this);
        }

        private static void readable(Path file, String what, List<String> problems) {
            if (file != null && !Files.isReadable(file)) {
                problems.add("the " + what + " " + file + " is not a readable file");
            }
        }
    }
}
