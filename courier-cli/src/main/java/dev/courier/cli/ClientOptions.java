package dev.courier.cli;

import dev.courier.registry.Registries;
import dev.courier.registry.Registry;
import dev.courier.rpc.GenericClient;
import dev.courier.rpc.RpcClient;
import dev.courier.rpc.TlsOptions;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Where the commands find providers and how they reach them: registry or address, deadline, TLS,
 * token. A picocli mixin of {@code courier call}, {@code courier ls} and {@code courier bench call}.
 */
public final class ClientOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(
            names = "--registry",
            paramLabel = "URL",
            description = "zookeeper://HOST:PORT, raft://HOST:PORT,..., embedded://NAME.")
    String registry;

    @Option(
            names = "--address",
            paramLabel = "HOST:PORT",
            description = "Call this provider instead of those the registry lists.")
    String address;

    @Option(
            names = "--timeout",
            paramLabel = "MS",
            defaultValue = "3000",
            description = "Deadline of each call in milliseconds (default: ${DEFAULT-VALUE}).")
    long timeoutMillis;

    @Option(
            names = "--version",
            paramLabel = "V",
            defaultValue = "",
            description = "The service's version (default: the registry's default, 1.0).")
    String version;

    @Option(
            names = "--group",
            paramLabel = "G",
            defaultValue = "",
            description = "The service's group (default: default).")
    String group;

    @Option(names = "--token", paramLabel = "T", description = "Bearer token for providers that authenticate callers.")
    String token;

    @Option(
            names = "--tls-ca",
            paramLabel = "FILE",
            description = "TLS: the CA (PEM) providers' certificates are signed by.")
    Path tlsCa;

    @Option(
            names = "--tls-cert",
            paramLabel = "FILE",
            description = "TLS: this client's certificate (PEM), with --tls-key.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "TLS: the private key of --tls-cert (PEM, PKCS#8).")
    Path tlsKey;

    /**
     * The registry --registry names, or null with --address or without --registry; the caller closes it.
     * A URL of no known scheme, or one that does not parse, is a usage error (exit 2), not a failure.
     */
    public Registry connectRegistry() {
        if (registry == null || address != null) {
            return null;
        }
        try {
            return Registries.connect(registry);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--registry " + registry + ": " + e.getMessage(), e);
        }
    }

    /** A client over {@code registry}, which the caller owns (null: none, for --address). */
    public RpcClient rpcClient(Registry registry) {
        if (timeoutMillis <= 0) {
            throw new ParameterException(spec.commandLine(), "--timeout must be positive, not " + timeoutMillis);
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new ParameterException(spec.commandLine(), "--tls-cert and --tls-key go together");
        }
        RpcClient.Builder b = RpcClient.builder();
        if (registry != null) {
            b.registry(registry);
        }
        if (tlsCa != null || tlsCert != null) {
            TlsOptions.Builder tls = TlsOptions.builder();
            if (tlsCa != null) {
                tls.trust(tlsCa);
            }
            if (tlsCert != null) {
                tls.keyCertChain(tlsCert, tlsKey);
            }
            b.tls(tls.build());
        }
        if (token != null) {
            b.token(token);
        }
        return b.build();
    }

    /** Generic calls through {@code client} of --version and --group, to --address if given. */
    public GenericClient generic(RpcClient client) {
        return generic(client, version, group);
    }

    public GenericClient generic(RpcClient client, String version, String group) {
        GenericClient.Builder b =
                GenericClient.builder(client).version(version).group(group).timeout(Duration.ofMillis(timeoutMillis));
        if (address != null) {
            int colon = address.lastIndexOf(':');
            int port;
            try {
                port = colon <= 0 ? -1 : Integer.parseInt(address.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port <= 0 || port > 65_535) {
                throw new ParameterException(spec.commandLine(), "--address must be HOST:PORT, not '" + address + "'");
            }
            b.address(address.substring(0, colon), port);
        }
        return b.build();
    }

    /** Refuses a command line that names neither a registry nor an address. */
    public void requireTarget() {
        if (registry == null && address == null) {
            throw new ParameterException(spec.commandLine(), "Give --registry URL or --address HOST:PORT");
        }
    }
}
