package dev.courier.mq.broker.cli;

import dev.courier.mq.broker.Authorizer;
import dev.courier.mq.broker.BrokerConfig;
import dev.courier.mq.broker.BrokerSecurity;
import dev.courier.mq.broker.TopicAcl;
import dev.courier.mq.broker.internal.Names;
import dev.courier.mq.broker.storage.FsyncPolicy;
import dev.courier.mq.broker.storage.LogConfig;
import dev.courier.mq.client.protocol.MessageProperties;
import dev.courier.rpc.Authenticator;
import dev.courier.rpc.TlsOptions;

import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What {@code courier broker} runs with: the broker's configuration and the address it listens on,
 * resolved from command-line flags, then a properties file, then defaults (a flag wins over the file).
 *
 * <p>Keys of the file, each with the flag of the same name ({@code segment.bytes} is
 * {@code --segment-bytes}):
 * <pre>
 *   port                 port to listen on, 0 for any free one            (default 7400)
 *   host                 address to listen on                             (default 127.0.0.1)
 *   fsync                always | group | never                           (default group)
 *   segment.bytes        segment size before rolling, at least 1024       (default 64 MiB)
 *   max.deliveries       deliveries before dead-lettering, at least 1     (default 16)
 *   retention.bytes      size limit of every topic, -1 for none           (default -1)
 *   retention.ms         age limit of every topic's records, -1 for none  (default -1)
 *   session.timeout.ms   a silent consumer is gone after this, above 0    (default 15000)
 *   max.message.bytes    the largest payload a publish may carry          (default 8 MiB)
 *   message.ttl.ms       time to live of the messages of every topic, 0 for none (default 0)
 *   expired.action       dead-letter | drop: what becomes of a message whose time to live passed
 *                        before it was delivered                          (default dead-letter)
 *   max.topics           topics in all, at least 1                        (default 10000)
 *   max.topics.per.principal         topics one principal may create     (default 1000)
 *   max.subscriptions.per.principal  subscriptions one principal may create (default 10000)
 *   topic.NAME.retention.bytes   size limit of topic NAME (file only)
 *   topic.NAME.retention.ms      age limit of topic NAME (file only)
 *   tls.cert             the broker's certificate chain (PEM); with tls.key turns TLS on
 *   tls.key              its private key (PEM, PKCS#8)
 *   tls.client.ca        CA (PEM) that client certificates must be signed by: mutual TLS, the
 *                        certificate's CN is the client's principal
 *   auth.tokens          file of lines "TOKEN PRINCIPAL": clients authenticate with a bearer token
 *                        (with tls.client.ca as well, either a certificate or a token will do)
 *   acl.create                       principals (comma-separated) that may create topics (file only)
 *   acl.topic.NAME.publish           principals that may publish to topic NAME, or to every topic
 *                                    for NAME "*"; likewise .consume and .admin (file only)
 * </pre>
 * Without any {@code acl.} key everyone who may connect may do everything; with one, whatever no
 * {@code acl.} key allows is refused ("*" as a principal: any authenticated one).
 * An unknown key (a typo) or a bad value is a {@link ConfigException} naming the key and the value.
 * Duplicate keys cannot be told apart by {@link Properties}: the last one wins.
 *
 * <p>Immutable.
 *
 * @param config the broker's configuration
 * @param host   the address to listen on
 * @param port   the port to listen on (0: any free port)
 */
public record BrokerSettings(BrokerConfig config, String host, int port, BrokerSecurity security) {

    public static final int DEFAULT_PORT = 7400;
    public static final String DEFAULT_HOST = "127.0.0.1";

    public static final String PORT = "port";
    public static final String HOST = "host";
    public static final String FSYNC = "fsync";
    public static final String SEGMENT_BYTES = "segment.bytes";
    public static final String MAX_DELIVERIES = "max.deliveries";
    public static final String RETENTION_BYTES = "retention.bytes";
    public static final String RETENTION_MS = "retention.ms";
    public static final String SESSION_TIMEOUT_MS = "session.timeout.ms";
    public static final String MAX_MESSAGE_BYTES = "max.message.bytes";
    public static final String MESSAGE_TTL_MS = "message.ttl.ms";
    public static final String EXPIRED_ACTION = "expired.action";
    public static final String TLS_CERT = "tls.cert";
    public static final String TLS_KEY = "tls.key";
    public static final String TLS_CLIENT_CA = "tls.client.ca";
    public static final String AUTH_TOKENS = "auth.tokens";
    public static final String MAX_TOPICS = "max.topics";
    public static final String MAX_TOPICS_PER_PRINCIPAL = "max.topics.per.principal";
    public static final String MAX_SUBSCRIPTIONS_PER_PRINCIPAL = "max.subscriptions.per.principal";
    /** Keys of the file other than the per-topic and {@code acl.} ones. */
    public static final List<String> KEYS = List.of(
            PORT,
            HOST,
            FSYNC,
            SEGMENT_BYTES,
            MAX_DELIVERIES,
            RETENTION_BYTES,
            RETENTION_MS,
            SESSION_TIMEOUT_MS,
            MAX_MESSAGE_BYTES,
            MESSAGE_TTL_MS,
            EXPIRED_ACTION,
            TLS_CERT,
            TLS_KEY,
            TLS_CLIENT_CA,
            AUTH_TOKENS,
            MAX_TOPICS,
            MAX_TOPICS_PER_PRINCIPAL,
            MAX_SUBSCRIPTIONS_PER_PRINCIPAL);

    private static final String ACL_CREATE = "acl.create";
    private static final String ACL_TOPIC_PREFIX = "acl.topic.";
    private static final Map<String, Authorizer.Action> ACL_ACTIONS = Map.of(
            "publish",
            Authorizer.Action.PUBLISH,
            "consume",
            Authorizer.Action.CONSUME,
            "admin",
            Authorizer.Action.ADMIN);
    private static final String TOPIC_PREFIX = "topic.";
    /** The settings a topic may give itself, as {@code topic.<name>.<setting>}. */
    private static final List<String> TOPIC_SETTINGS = List.of(RETENTION_BYTES, RETENTION_MS);

    public BrokerSettings {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(security, "security");
    }

    /** Settings without TLS, authentication or topic rules. */
    public BrokerSettings(BrokerConfig config, String host, int port) {
        this(config, host, port, BrokerSecurity.none());
    }

    /** The command-line flag of a file key: {@code segment.bytes} is {@code --segment-bytes}. */
    public static String flagOf(String key) {
        return "--" + key.replace('.', '-');
    }

    /**
     * Resolves the settings.
     *
     * @param dataDir  the data directory
     * @param file     the properties of the config file (empty without one)
     * @param fileName how errors name the file
     * @param flags    values given on the command line, by file key ({@link #KEYS}); they win over the file
     * @throws ConfigException naming the key or flag and the value, if one is unknown or bad
     */
    public static BrokerSettings resolve(Path dataDir, Properties file, String fileName, Map<String, String> flags) {
        Values v = new Values(file, fileName, flags);
        v.checkKeys();

        LogConfig.Builder log = LogConfig.builder();
        String fsync = v.get(FSYNC);
        if (fsync != null) {
            log.fsync(v.fsync(FSYNC, fsync));
        }
        Long segmentBytes = v.number(SEGMENT_BYTES, 1024, Long.MAX_VALUE, "at least 1024");
        if (segmentBytes != null) {
            log.segmentBytes(segmentBytes);
        }
        Long retentionBytes = v.number(RETENTION_BYTES, -1, Long.MAX_VALUE, "at least 0, or -1 for no limit");
        if (retentionBytes != null) {
            log.retentionBytes(retentionBytes);
        }
        Long retentionMs = v.number(RETENTION_MS, -1, Long.MAX_VALUE, "at least 0, or -1 for no limit");
        if (retentionMs != null) {
            log.retentionMillis(retentionMs);
        }
        LogConfig base = log.build();

        BrokerConfig.Builder config = BrokerConfig.builder(dataDir).log(base);
        Long maxDeliveries = v.number(MAX_DELIVERIES, 1, Integer.MAX_VALUE, "at least 1");
        if (maxDeliveries != null) {
            config.maxDeliveries(maxDeliveries.intValue());
        }
        Long sessionTimeout = v.number(SESSION_TIMEOUT_MS, 1, Long.MAX_VALUE, "at least 1");
        if (sessionTimeout != null) {
            config.sessionTimeout(Duration.ofMillis(sessionTimeout));
        }
        Long maxMessageBytes = v.number(
                MAX_MESSAGE_BYTES, 1, BrokerConfig.FRAME_LIMIT / 2, "from 1 to " + BrokerConfig.FRAME_LIMIT / 2);
        if (maxMessageBytes != null) {
            config.maxMessageBytes(maxMessageBytes.intValue());
        }
        Long messageTtl = v.number(
                MESSAGE_TTL_MS,
                0,
                MessageProperties.MAX_TIME_TO_LIVE_MILLIS,
                "from 0 (none) to " + MessageProperties.MAX_TIME_TO_LIVE_MILLIS);
        if (messageTtl != null) {
            config.messageTtl(Duration.ofMillis(messageTtl));
        }
        String expired = v.get(EXPIRED_ACTION);
        if (expired != null) {
            config.expired(v.expired(EXPIRED_ACTION, expired));
        }
        BrokerConfig.Limits defaults = BrokerConfig.Limits.defaults();
        Long maxTopics = v.number(MAX_TOPICS, 1, Integer.MAX_VALUE, "at least 1");
        Long maxTopicsPerPrincipal = v.number(MAX_TOPICS_PER_PRINCIPAL, 1, Integer.MAX_VALUE, "at least 1");
        Long maxSubscriptions = v.number(MAX_SUBSCRIPTIONS_PER_PRINCIPAL, 1, Integer.MAX_VALUE, "at least 1");
        config.limits(new BrokerConfig.Limits(
                maxTopics == null ? defaults.maxTopics() : maxTopics.intValue(),
                maxTopicsPerPrincipal == null ? defaults.maxTopicsPerPrincipal() : maxTopicsPerPrincipal.intValue(),
                maxSubscriptions == null ? defaults.maxSubscriptionsPerPrincipal() : maxSubscriptions.intValue()));
        for (Map.Entry<String, Map<String, Long>> topic : v.topicSettings().entrySet()) {
            LogConfig.Builder own = base.toBuilder();
            Long bytes = topic.getValue().get(RETENTION_BYTES);
            if (bytes != null) {
                own.retentionBytes(bytes);
            }
            Long ms = topic.getValue().get(RETENTION_MS);
            if (ms != null) {
                own.retentionMillis(ms);
            }
            config.topicLog(topic.getKey(), own.build());
        }

        String host = v.get(HOST);
        if (host == null) {
            host = DEFAULT_HOST;
        } else if (host.isEmpty()) {
            throw v.bad(HOST, host, "an address or host name");
        }
        Long port = v.number(PORT, 0, 65_535, "from 0 to 65535");
        return new BrokerSettings(config.build(), host, port == null ? DEFAULT_PORT : port.intValue(), v.security());
    }

    /** The raw values with where each came from, for error messages. Not thread-safe. */
    private static final class Values {
        private final Properties file;
        private final String fileName;
        private final Map<String, String> flags;

        Values(Properties file, String fileName, Map<String, String> flags) {
            this.file = file;
            this.fileName = fileName == null ? "the config file" : "config file " + fileName;
            this.flags = flags;
        }

        void checkKeys() {
            for (String key : flags.keySet()) {
                if (!KEYS.contains(key)) {
                    throw new IllegalArgumentException("no flag for key " + key); // a programming error
                }
            }
            for (String key : new TreeSet<>(file.stringPropertyNames())) {
                if (!KEYS.contains(key)
                        && topicSetting(key) == null
                        && !key.equals(ACL_CREATE)
                        && aclRule(key) == null) {
                    throw new ConfigException(fileName + ": unknown key '" + key + "'; known keys: "
                            + String.join(", ", KEYS) + ", " + TOPIC_PREFIX + "<name>." + RETENTION_BYTES + ", "
                            + TOPIC_PREFIX + "<name>." + RETENTION_MS + ", " + ACL_CREATE + ", " + ACL_TOPIC_PREFIX
                            + "<name or *>.publish|consume|admin");
                }
            }
        }

        /** TLS, authentication and topic rules from the {@code tls.}, {@code auth.} and {@code acl.} keys. */
        BrokerSecurity security() {
            String cert = get(TLS_CERT);
            String key = get(TLS_KEY);
            String clientCa = get(TLS_CLIENT_CA);
            String tokens = get(AUTH_TOKENS);
            if ((cert == null) != (key == null)) {
                throw new ConfigException(origin(cert == null ? TLS_KEY : TLS_CERT) + " needs "
                        + flagOf(cert == null ? TLS_CERT : TLS_KEY) + " as well: TLS takes a certificate and its key");
            }
            if (clientCa != null && cert == null) {
                throw new ConfigException(origin(TLS_CLIENT_CA) + " needs " + flagOf(TLS_CERT) + " and "
                        + flagOf(TLS_KEY) + ": mutual TLS is TLS first");
            }
            TlsOptions tls = null;
            if (cert != null) {
                TlsOptions.Builder b = TlsOptions.builder().keyCertChain(path(TLS_CERT, cert), path(TLS_KEY, key));
                if (clientCa != null) {
                    b.trust(path(TLS_CLIENT_CA, clientCa))
                            .clientAuth(
                                    tokens == null ? TlsOptions.ClientAuth.REQUIRE : TlsOptions.ClientAuth.OPTIONAL);
                }
                try {
                    tls = b.build();
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(origin(TLS_CERT) + ": " + e.getMessage(), e);
                }
            }
            Authenticator authenticator = clientCa == null ? null : Authenticator.mutualTls();
            if (tokens != null) {
                Authenticator byToken;
                try {
                    byToken = Authenticator.tokensFile(path(AUTH_TOKENS, tokens));
                } catch (IOException e) {
                    throw new ConfigException(origin(AUTH_TOKENS) + ": cannot read " + tokens + ": " + e, e);
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(origin(AUTH_TOKENS) + ": " + e.getMessage(), e);
                }
                authenticator = authenticator == null ? byToken : authenticator.or(byToken);
            }
            return new BrokerSecurity(tls, authenticator, authorizer());
        }

        /** The {@code acl.} keys as a {@link TopicAcl}, or allow-all when there are none. */
        private Authorizer authorizer() {
            TopicAcl.Builder acl = TopicAcl.builder();
            boolean any = false;
            for (String key : new TreeSet<>(file.stringPropertyNames())) {
                if (key.equals(ACL_CREATE)) {
                    acl.allow(Authorizer.Action.CREATE, TopicAcl.ANY, principals(key));
                    any = true;
                    continue;
                }
                String[] rule = aclRule(key);
                if (rule != null) {
                    if (!rule[0].equals(TopicAcl.ANY)) {
                        try {
                            Names.check("topic", rule[0]);
                        } catch (IllegalArgumentException e) {
                            throw new ConfigException(fileName + ": key '" + key + "': " + e.getMessage(), e);
                        }
                    }
                    acl.allow(ACL_ACTIONS.get(rule[1]), rule[0], principals(key));
                    any = true;
                }
            }
            return any ? acl.build() : Authorizer.allowAll();
        }

        private String[] principals(String key) {
            String value = file.getProperty(key).trim();
            String[] names = value.split("\\s*,\\s*");
            for (String n : names) {
                if (n.isEmpty() || n.chars().anyMatch(Character::isWhitespace)) {
                    throw bad(key, value, "principal names separated by commas");
                }
            }
            return names;
        }

        /** {@code [topic, action]} if {@code key} is {@code acl.topic.<topic>.<action>}, else null. */
        private static String[] aclRule(String key) {
            if (!key.startsWith(ACL_TOPIC_PREFIX)) {
                return null;
            }
            int dot = key.lastIndexOf('.');
            String action = key.substring(dot + 1);
            if (dot <= ACL_TOPIC_PREFIX.length() || !ACL_ACTIONS.containsKey(action)) {
                return null;
            }
            return new String[] {key.substring(ACL_TOPIC_PREFIX.length(), dot), action};
        }

        /** The value of {@code key}, trimmed: the flag's if given, else the file's, else null. */
        String get(String key) {
            String flag = flags.get(key);
            if (flag != null) {
                return flag.trim();
            }
            String value = file.getProperty(key);
            return value == null ? null : value.trim();
        }

        private String origin(String key) {
            return flags.get(key) != null ? "flag " + flagOf(key) : fileName + ": key '" + key + "'";
        }

        /**
         * The value of a file-naming key as a path; a value no path can be (a NUL character, say) is a config error.
         */
        Path path(String key, String value) {
            try {
                return Path.of(value);
            } catch (InvalidPathException e) {
                throw bad(key, value, "a file path (" + e.getReason() + ")");
            }
        }

        ConfigException bad(String key, String value, String expected) {
            return new ConfigException(origin(key) + ": bad value '" + value + "'; expected " + expected);
        }

        BrokerConfig.Expired expired(String key, String value) {
            return switch (value) {
                case "dead-letter" -> BrokerConfig.Expired.DEAD_LETTER;
                case "drop" -> BrokerConfig.Expired.DROP;
                default -> throw bad(key, value, "dead-letter | drop");
            };
        }

        FsyncPolicy fsync(String key, String value) {
            try {
                return FsyncPolicy.parse(value);
            } catch (IllegalArgumentException e) {
                throw bad(
                        key,
                        value,
                        Arrays.stream(FsyncPolicy.values())
                                .map(p -> p.name().toLowerCase(Locale.ROOT))
                                .reduce((a, b) -> a + " | " + b)
                                .orElseThrow());
            }
        }

        /** The whole number at {@code key} within [min, max], or null if not set. */
        Long number(String key, long min, long max, String rule) {
            return number(key, get(key), min, max, rule);
        }

        Long number(String key, String value, long min, long max, String rule) {
            if (value == null) {
                return null;
            }
            long n;
            try {
                n = Long.parseLong(value);
            } catch (NumberFormatException e) {
                throw bad(key, value, "a whole number " + rule);
            }
            if (n < min || n > max) {
                throw bad(key, value, rule);
            }
            return n;
        }

        /** The per-topic settings of the file: topic name to setting to value. */
        Map<String, Map<String, Long>> topicSettings() {
            Map<String, Map<String, Long>> out = new TreeMap<>();
            for (String key : new TreeSet<>(file.stringPropertyNames())) {
                String[] topicAndSetting = topicSetting(key);
                if (topicAndSetting == null) {
                    continue;
                }
                String topic = topicAndSetting[0];
                try {
                    Names.check("topic", topic);
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(fileName + ": key '" + key + "': " + e.getMessage(), e);
                }
                Long value =
                        number(key, file.getProperty(key).trim(), -1, Long.MAX_VALUE, "at least 0, or -1 for no limit");
                out.computeIfAbsent(topic, t -> new TreeMap<>()).put(topicAndSetting[1], value);
            }
            return out;
        }

        /** {@code [topic, setting]} if {@code key} is {@code topic.<topic>.<setting>}, else null. */
        private static String[] topicSetting(String key) {
            if (!key.startsWith(TOPIC_PREFIX)) {
                return null;
            }
            for (String setting : TOPIC_SETTINGS) {
                int topicEnd = key.length() - setting.length() - 1;
                if (topicEnd > TOPIC_PREFIX.length() && key.endsWith("." + setting)) {
                    return new String[] {key.substring(TOPIC_PREFIX.length(), topicEnd), setting};
                }
            }
            return null;
        }
    }
}
