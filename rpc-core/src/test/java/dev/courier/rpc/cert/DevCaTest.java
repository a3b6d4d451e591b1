package dev.courier.rpc.cert;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The development CA: what {@code courier cert init|issue} writes. */
class DevCaTest {

    @TempDir
    Path dir;

    private static X509Certificate read(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    @Test
    void issuedCertificatesAreSignedByTheCaAndNameLocalhost() throws Exception {
        DevCa ca = DevCa.init(dir);
        DevCa.Issued alice = DevCa.load(dir).issue("alice");

        X509Certificate caCert = read(ca.certificate());
        X509Certificate cert = read(alice.certificate());
        cert.verify(caCert.getPublicKey());
        cert.checkValidity();
        assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=alice");
        assertThat(cert.getSubjectAlternativeNames())
                .containsExactlyInAnyOrder(List.of(2, "localhost"), List.of(7, "127.0.0.1"));
        assertThat(cert.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
        assertThat(cert.getBasicConstraints()).as("not a CA").isEqualTo(-1);
        assertThat(caCert.getBasicConstraints()).isGreaterThanOrEqualTo(0);
        assertThat(Files.getPosixFilePermissions(alice.privateKey()))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(Files.readString(alice.privateKey())).startsWith("-----BEGIN PRIVATE KEY-----");
    }

    @Test
    void commandsWriteTheNamedFilesAndNeverReplaceACa() throws Exception {
        CommandLine cli = new CommandLine(new CertMain());

        assertThat(cli.execute("init", "--dir", dir.toString())).isZero();
        byte[] caBefore = Files.readAllBytes(dir.resolve("ca.pem"));
        assertThat(cli.execute("issue", "server", "--dir", dir.toString())).isZero();
        assertThat(cli.execute("init", "--dir", dir.toString())).isEqualTo(CertMain.EXIT_FAILED);
        assertThat(cli.execute("issue", "bad/name", "--dir", dir.toString())).isEqualTo(CertMain.EXIT_FAILED);

        assertThat(dir.resolve("ca-key.pem")).exists();
        assertThat(dir.resolve("server.pem")).exists();
        assertThat(dir.resolve("server-key.pem")).exists();
        assertThat(Files.readAllBytes(dir.resolve("ca.pem"))).isEqualTo(caBefore);
        read(dir.resolve("server.pem")).verify(read(dir.resolve("ca.pem")).getPublicKey());
    }

    @Test
    void aNameThatIsNoFileNameIsRefused() throws Exception {
        DevCa ca = DevCa.init(dir);
        assertThatThrownBy(() -> ca.issue("../escape")).isInstanceOf(IllegalArgumentException.class);
    }
}
