package dev.courier.rpc.internal.transport;

import dev.courier.rpc.TlsOptions;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;

/** Builds Netty {@link SslContext}s from {@link TlsOptions} and reads the peer's identity. */
public final class Tls {

    private static final Logger log = LoggerFactory.getLogger(Tls.class);
    private static final int SAN_DNS = 2;

    private Tls() {}

    /** The provider {@code choice} resolves to on this machine. */
    public static SslProvider provider(TlsOptions.Provider choice) {
        switch (choice) {
            case OPENSSL:
                OpenSsl.ensureAvailability();
                return SslProvider.OPENSSL;
            case JDK:
                return SslProvider.JDK;
            default:
                return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        }
    }

    /** A human-readable name of the provider {@code choice} resolves to, with why OpenSSL is not used. */
    public static String describe(TlsOptions.Provider choice) {
        SslProvider p = provider(choice);
        if (p == SslProvider.OPENSSL) {
            return "OpenSSL (" + OpenSsl.versionString() + ")";
        }
        Throwable why = OpenSsl.unavailabilityCause();
        return "JDK"
                + (choice == TlsOptions.Provider.JDK || why == null ? "" : " (OpenSSL not available: " + why + ")");
    }

    /** The server side's context: certificate and key, and the CA that client certificates are checked against. */
    public static SslContext forServer(TlsOptions o, String who) {
        if (o.certChain() == null) {
            throw new IllegalArgumentException(
                    "A TLS server needs a certificate and key: TlsOptions.keyCertChain(cert, key)");
        }
        try {
            SslContextBuilder b = SslContextBuilder.forServer(
                            o.certChain().toFile(), o.privateKey().toFile())
                    .sslProvider(provider(o.provider()))
                    .clientAuth(
                            switch (o.clientAuth()) {
                                case NONE -> ClientAuth.NONE;
                                case OPTIONAL -> ClientAuth.OPTIONAL;
                                case REQUIRE -> ClientAuth.REQUIRE;
                            });
            if (o.trust() != null) {
                b.trustManager(o.trust().toFile());
            }
            SslContext ctx = b.build();
            log.info(
                    "{}: TLS with {}, client certificates {}",
                    who,
                    describe(o.provider()),
                    o.clientAuth().name().toLowerCase(java.util.Locale.ROOT));
            return ctx;
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("Cannot load the TLS files " + o + ": " + e.getMessage(), e);
        }
    }

    /** The client side's context: the trusted CA, and a certificate for mutual TLS if given. */
    public static SslContext forClient(TlsOptions o, String who) {
        try {
            SslContextBuilder b = SslContextBuilder.forClient().sslProvider(provider(o.provider()));
            if (o.trust() != null) {
                b.trustManager(o.trust().toFile());
            }
            if (o.certChain() != null) {
                b.keyManager(o.certChain().toFile(), o.privateKey().toFile());
            }
            if (o.verifyHostname()) {
                b.endpointIdentificationAlgorithm("HTTPS");
            } else {
                b.endpointIdentificationAlgorithm(null);
            }
            SslContext ctx = b.build();
            log.info(
                    "{}: TLS with {}{}",
                    who,
                    describe(o.provider()),
                    o.certChain() == null ? "" : ", presenting a client certificate");
            return ctx;
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("Cannot load the TLS files " + o + ": " + e.getMessage(), e);
        }
    }

    /** The name in the verified certificate of the peer of {@code ssl}, or null if it presented none. */
    public static String peerPrincipal(SslHandler ssl) {
        if (ssl == null) {
            return null;
        }
        Certificate[] chain;
        try {
            chain = ssl.engine().getSession().getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
        return chain.length > 0 && chain[0] instanceof X509Certificate x ? principalOf(x) : null;
    }

    /** A certificate's subject CN, else its first DNS subject alternative name, else its whole subject. */
    public static String principalOf(X509Certificate certificate) {
        String subject = certificate.getSubjectX500Principal().getName();
        try {
            List<Rdn> rdns = new LdapName(subject).getRdns();
            for (int i = rdns.size() - 1; i >= 0; i--) {
                if (rdns.get(i).getType().equalsIgnoreCase("CN")) {
                    return rdns.get(i).getValue().toString();
                }
            }
        } catch (InvalidNameException e) {
            // fall through to the alternative names
        }
        try {
            Collection<List<?>> sans = certificate.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (san.size() >= 2 && Integer.valueOf(SAN_DNS).equals(san.get(0))) {
                        return san.get(1).toString();
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // fall through to the subject
        }
        return subject;
    }
}
