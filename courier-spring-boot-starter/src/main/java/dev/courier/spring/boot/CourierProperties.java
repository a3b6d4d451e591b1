package dev.courier.spring.boot;

import org.springframework.boot.context.properties.ConfigurationProperties;

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
 *   serializer: kryo
 *   token: ${COURIER_TOKEN}
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
