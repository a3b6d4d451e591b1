package dev.courier.rpc.cert;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.regex.Pattern;

/**
 * A development certificate authority, made with BouncyCastle: for tests, demos and trying TLS out,
 * not for production (its key sits unencrypted in a file). Behind {@code ./courier cert}.
 *
 * <pre>{@code
 * DevCa ca = DevCa.init(dir);                  // dir/ca.pem, dir/ca-key.pem
 * DevCa.Issued server = ca.issue("server");    // dir/server.pem, dir/server-key.pem
 * DevCa.Issued alice = DevCa.load(dir).issue("alice");
 * }</pre>
 *
 * <p>Keys are ECDSA P-256; private keys are written as unencrypted PKCS#8 PEM readable by the owner
 * only. Every issued certificate has subject {@code CN=<name>}, the subject alternative names
 * {@code localhost} and {@code 127.0.0.1}, and may serve as a server and as a client certificate.
 * Its CN is the principal a Courier server sees for a client presenting it.
 *
 * <p>Not thread-safe when two callers write the same files; otherwise immutable.
 */
public final class DevCa {

    /** A certificate and key issued by {@link #issue}. */
    public record Issued(String name, Path certificate, Path privateKey) {}

    public static final String CA_CERT = "ca.pem";
    public static final String CA_KEY = "ca-key.pem";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Duration CA_VALIDITY = Duration.ofDays(3650);
    private static final Duration LEAF_VALIDITY = Duration.ofDays(825);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;
    private final X509Certificate caCert;
    private final PrivateKey caKey;

    private DevCa(Path dir, X509Certificate caCert, PrivateKey caKey) {
        this.dir = dir;
        this.caCert = caCert;
        this.caKey = caKey;
    }

    /**
     * Creates a new CA in {@code dir} (created if missing): {@code ca.pem} and {@code ca-key.pem}.
     *
     * @throws FileAlreadyExistsException if {@code dir} already holds a CA
     */
    public static DevCa init(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path cert = dir.resolve(CA_CERT);
        Path key = dir.resolve(CA_KEY);
        if (Files.exists(cert) || Files.exists(key)) {
            throw new FileAlreadyExistsException(cert.toString(), null, "a CA already exists in " + dir);
        }
        KeyPair pair = newKeyPair();
        X500Name subject = new X500Name("CN=Courier Development CA");
        Instant now = Instant.now();
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                            subject,
                            serial(),
                            Date.from(now.minus(Duration.ofHours(1))),
                            Date.from(now.plus(CA_VALIDITY)),
                            subject,
                            pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(
                            Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
            X509Certificate ca = sign(b, pair.getPrivate());
            writeKey(key, pair.getPrivate());
            writeCert(cert, ca);
            return new DevCa(dir, ca, pair.getPrivate());
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("Cannot create the CA: " + e, e);
        }
    }

    /** Loads the CA that {@link #init} wrote to {@code dir}. */
    public static DevCa load(Path dir) throws IOException {
        Path cert = dir.resolve(CA_CERT);
        Path key = dir.resolve(CA_KEY);
        try (Reader certIn = Files.newBufferedReader(cert, StandardCharsets.US_ASCII);
                PEMParser certPem = new PEMParser(certIn);
                Reader keyIn = Files.newBufferedReader(key, StandardCharsets.US_ASCII);
                PEMParser keyPem = new PEMParser(keyIn)) {
            Object c = certPem.readObject();
            Object k = keyPem.readObject();
            if (!(c instanceof X509CertificateHolder holder)) {
                throw new IOException(cert + " holds no certificate");
            }
            if (!(k instanceof PrivateKeyInfo info)) {
                throw new IOException(key + " holds no PKCS#8 private key");
            }
            return new DevCa(
                    dir,
                    new JcaX509CertificateConverter().getCertificate(holder),
                    new JcaPEMKeyConverter().getPrivateKey(info));
        } catch (GeneralSecurityException e) {
            throw new IOException("Cannot read the CA in " + dir + ": " + e, e);
        }
    }

    /** The CA certificate file (what peers trust). */
    public Path certificate() {
        return dir.resolve(CA_CERT);
    }

    /**
     * Issues a certificate for {@code name} ({@code [A-Za-z0-9._-]}, up to 64 characters), written to
     * {@code <dir>/<name>.pem} and {@code <dir>/<name>-key.pem} (replacing earlier ones).
     */
    public Issued issue(String name) throws IOException {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("Certificate name '" + name + "' must be 1 to 64 characters of"
                    + " [A-Za-z0-9._-], starting with a letter or digit");
        }
        KeyPair pair = newKeyPair();
        Instant now = Instant.now();
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                            caCert,
                            serial(),
                            Date.from(now.minus(Duration.ofHours(1))),
                            Date.from(now.plus(LEAF_VALIDITY)),
                            new X500Name("CN=" + name),
                            pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[] {
                        KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth
                    }))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                        new GeneralName(GeneralName.dNSName, "localhost"),
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1")
                    }))
                    .addExtension(
                            Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCert));
            X509Certificate cert = sign(b, caKey);
            Path certFile = dir.resolve(name + ".pem");
            Path keyFile = dir.resolve(name + "-key.pem");
            Files.deleteIfExists(keyFile);
            writeKey(keyFile, pair.getPrivate());
            Files.deleteIfExists(certFile);
            writeCert(certFile, cert);
            return new Issued(name, certFile, keyFile);
        } catch (GeneralSecurityException | OperatorCreationException | CertIOException e) {
            throw new IOException("Cannot issue a certificate for " + name + ": " + e, e);
        }
    }

    private static KeyPair newKeyPair() throws IOException {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IOException("Cannot make an EC key pair: " + e, e);
        }
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter()
                .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
    }

    private static void writeCert(Path file, X509Certificate cert) throws IOException {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
                JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(cert);
        }
    }

    /** Writes {@code key} as PKCS#8 PEM into a new file that only its owner may read (where POSIX allows). */
    private static void writeKey(Path file, PrivateKey key) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
                JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(new JcaPKCS8Generator(key, null));
        }
    }
}
