package dev.courier.spring.boot;

import dev.courier.rpc.TlsOptions;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;

import java.time.Duration;

/**
 * Courier's settings under {@code courier.*} in {@code application.yml}.
 *
 * <pre>
 * courier:
 *   registry: zookeeper://127.0.0.1:2181
 *   server:
 *     host: 0.0.0.0
 *     port: 20880
 *     drain-timeout: 10s
 *     tls:                    # the provider's TLS; client-auth: none, optional, require
 *       cert: certs/provider.pem
 *       key: certs/provider-key.pem
 *     auth-tokens: tokens.txt # TOKEN PRINCIPAL lines: callers must authenticate
 *   serializer: kryo
 *   token: ${COURIER_TOKEN}
 *   tls:                      # the consumer's TLS to providers
 *     ca: certs/ca.pem
 *   admin:
 *     port: 9400
 * </pre>
 */
@ConfigurationProperties(prefix = "courier")
public class CourierProperties {

    /** Registry URL: embedded://[name], zookeeper://host:port, raft://host:port,host:port. */
    private String registry = "embedded://";

    /** Serializer of the provider's responses and the consumer's requests: kryo or protostuff. */
    private String serializer = "kryo";

    /** Bearer token the consumer presents to providers that authenticate (none by default). */
    private String token;

    private final Server server = new Server();

    private final Admin admin = new Admin();

    private final Tls tls = new Tls();

    public String getRegistry() {
        return registry;
    }

    public void setRegistry(String registry) {
        this.registry = registry;
    }

    public String getSerializer() {
        return serializer;
    }

    public void setSerializer(String serializer) {
        this.serializer = serializer;
    }

    public String getToken() {
        return token;
    }

    public void setToken(String token) {
        this.token = token;
    }

    public Server getServer() {
        return server;
    }

    public Admin getAdmin() {
        return admin;
    }

    public Tls getTls() {
        return tls;
    }

    /** TLS of the consumer's connections to providers: on when a CA is given. */
    public static class Tls {

        /** CA certificates (PEM) providers' certificates must be signed by; set it to call providers over TLS. */
        private String ca;

        /** This consumer's certificate chain (PEM), for providers that require client certificates; with key. */
        private String cert;

        /** The private key (PEM, PKCS#8) of cert. */
        private String key;

        public String getCa() {
            return ca;
        }

        public void setCa(String ca) {
            this.ca = ca;
        }

        public String getCert() {
            return cert;
        }

        public void setCert(String cert) {
            this.cert = cert;
        }

        public String getKey() {
            return key;
        }

        public void setKey(String key) {
            this.key = key;
        }
    }

    /** The provider's TLS: on when a certificate is given. */
    public static class ServerTls {

        /** The provider's certificate chain (PEM); with key, the server speaks TLS only. */
        private String cert;

        /** The private key (PEM, PKCS#8) of cert. */
        private String key;

        /** CA certificates (PEM) that clients' certificates must be signed by, when client-auth is not none. */
        private String ca;

        /** Whether clients must present a certificate: none (default), optional or require (mutual TLS). */
        private TlsOptions.ClientAuth clientAuth = TlsOptions.ClientAuth.NONE;

        public String getCert() {
            return cert;
        }

        public void setCert(String cert) {
            this.cert = cert;
        }

        public String getKey() {
            return key;
        }

        public void setKey(String key) {
            this.key = key;
        }

        public String getCa() {
            return ca;
        }

        public void setCa(String ca) {
            this.ca = ca;
        }

        public TlsOptions.ClientAuth getClientAuth() {
            return clientAuth;
        }

        public void setClientAuth(TlsOptions.ClientAuth clientAuth) {
            this.clientAuth = clientAuth;
        }
    }

    /** The provider's server, started when the application has {@code @RpcService} beans. */
    public static class Server {

        /** Host to listen on and to register (127.0.0.1 by default: set it for other machines to call). */
        private String host = "127.0.0.1";

        /** Port to listen on; 0 takes any free port. */
        private int port;

        /** How long shutdown waits for calls in flight, after deregistering. */
        private Duration drainTimeout = Duration.ofSeconds(10);

        /** Whether to start the server even when @RpcService beans exist (false: consume only). */
        private boolean enabled = true;

        /**
         * Whether a non-daemon thread keeps the JVM running while the server serves, so that an
         * application without a web server does not exit when its main method returns.
         */
        private boolean keepAlive = true;

        @NestedConfigurationProperty
        private final ServerTls tls = new ServerTls();

        /**
         * A file of {@code TOKEN PRINCIPAL} lines: callers must present one of the tokens (and, with
         * tls.client-auth, may instead present a client certificate, whose subject CN is the principal).
         */
        private String authTokens;

        public ServerTls getTls() {
            return tls;
        }

        public String getAuthTokens() {
            return authTokens;
        }

        public void setAuthTokens(String authTokens) {
            this.authTokens = authTokens;
        }

        public boolean isKeepAlive() {
            return keepAlive;
        }

        public void setKeepAlive(boolean keepAlive) {
            this.keepAlive = keepAlive;
        }

        public String getHost() {
            return host;
        }

        public void setHost(String host) {
            this.host = host;
        }

        public int getPort() {
            return port;
        }

        public void setPort(int port) {
            this.port = port;
        }

        public Duration getDrainTimeout() {
            return drainTimeout;
        }

        public void setDrainTimeout(Duration drainTimeout) {
            this.drainTimeout = drainTimeout;
        }

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }

    /** The provider's admin HTTP port (/live, /ready, /metrics, offline, online, ls), bound to 127.0.0.1. */
    public static class Admin {

        /** Admin port; -1 (the default) keeps it closed, 0 takes any free port. */
        private int port = -1;

        /** Bearer token the admin port requires, but for /live and /ready. */
        private String token;

        public int getPort() {
            return port;
        }

        public void setPort(int port) {
            this.port = port;
        }

        public String getToken() {
            return token;
        }

        public void setToken(String token) {
            this.token = token;
        }
    }
}
