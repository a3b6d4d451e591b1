package dev.courier.registry.raft;

import dev.courier.registry.RegistryUrl;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Mutual TLS on the registry's Ratis/gRPC channels: between members and from clients. Every member
 * and every client presents a certificate signed by the CA of {@code trust}, and checks the peer's
 * against it, so only holders of such a certificate reach the registry.
 *
 * <p>Clients give it in the URL: {@code raft://h1:p1,h2:p2?tls.ca=ca.pem&tls.cert=me.pem&tls.key=me-key.pem}.
 *
 * @param certChain  this end's certificate (PEM)
 * @param privateKey its private key (PEM, PKCS#8)
 * @param trust      the CA certificate (PEM) peers' certificates must be signed by
 */
public record RaftTls(Path certChain, Path privateKey, Path trust) {

    public static final String URL_CA = "tls.ca";
    public static final String URL_CERT = "tls.cert";
    public static final String URL_KEY = "tls.key";

    public RaftTls {
        Objects.requireNonNull(certChain, "certChain");
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(trust, "trust");
        for (Path p : new Path[] {certChain, privateKey, trust}) {
            if (!Files.isReadable(p)) {
                throw new IllegalArgumentException("TLS file " + p + " is not readable");
            }
        }
    }

    /** The TLS settings of a {@code raft://} URL, or null when it names none. */
    public static RaftTls fromUrl(RegistryUrl url) {
        String ca = url.parameter(URL_CA, null);
        String cert = url.parameter(URL_CERT, null);
        String key = url.parameter(URL_KEY, null);
        if (ca == null && cert == null && key == null) {
            return null;
        }
        if (ca == null || cert == null || key == null) {
            throw new IllegalArgumentException(
                    "raft:// TLS needs all of " + URL_CA + ", " + URL_CERT + " and " + URL_KEY + " (mutual TLS)");
        }
        return new RaftTls(Path.of(cert), Path.of(key), Path.of(ca));
    }

    /**
     * Ratis parameters carrying this TLS configuration for servers, admin and clients (for a Ratis client of its own).
     */
    public Parameters parameters() {
        Parameters p = new Parameters();
        GrpcConfigKeys.TLS.setConf(p, new GrpcTlsConfig(privateKey.toFile(), certChain.toFile(), trust.toFile(), true));
        return p;
    }

    /** {@code tls}'s parameters, or empty ones for plaintext. */
    static Parameters parametersOf(RaftTls tls) {
        return tls == null ? new Parameters() : tls.parameters();
    }
}
