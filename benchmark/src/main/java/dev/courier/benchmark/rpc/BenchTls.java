package dev.courier.benchmark.rpc;

import dev.courier.rpc.cert.DevCa;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The certificates of a TLS run: a development CA and a server certificate for 127.0.0.1 signed by
 * it, made once per run in a directory that every compared JVM reads.
 *
 * @param ca         the CA certificate clients trust
 * @param serverCert the server's certificate
 * @param serverKey  its private key
 */
public record BenchTls(Path ca, Path serverCert, Path serverKey) {

    /** The certificates in {@code dir}, made there first if it holds none. */
    public static BenchTls in(Path dir) throws IOException {
        DevCa ca = Files.exists(dir.resolve(DevCa.CA_CERT)) ? DevCa.load(dir) : DevCa.init(dir);
        Path cert = dir.resolve("server.pem");
        Path key = dir.resolve("server-key.pem");
        if (!Files.exists(cert) || !Files.exists(key)) {
            DevCa.Issued issued = ca.issue("server");
            cert = issued.certificate();
            key = issued.privateKey();
        }
        return new BenchTls(ca.certificate(), cert, key);
    }
}
