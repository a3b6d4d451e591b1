package dev.courier.mq.broker.cli;

import dev.courier.mq.broker.BrokerConfig;
import dev.courier.mq.broker.internal.Names;
import dev.courier.mq.broker.storage.FsyncPolicy;
import dev.courier.mq.broker.storage.LogConfig;

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
 *   host                 address to listen on                             (default 0.0.0.0)
 *   fsync                always | group | never                           (default group)
 *   segment.bytes        segment size before rolling, at least 1024       (default 64 MiB)
 *   max.deliveries       deliveries before dead-lettering, at least 1     (default 16)
 *   retention.bytes      size limit of every topic, -1 for none           (default -1)
 *   retention.ms         age limit of every topic's records, -1 for none  (default -1)
 *   session.timeout.ms   a silent consumer is gone after this, above 0    (default 15000)
 *   topic.NAME.retention.bytes   size limit of topic NAME (file only)
 *   topic.NAME.retention.ms      age limit of topic NAME (file only)
 * </pre>
 * An unknown key (a typo) or a bad value is a {@link ConfigException} naming the key and the value.
 * Duplicate keys cannot be told apart by {@link Properties}: the last one wins.
 *
 * <p>Immutable.
 *
 * @param config the broker's configuration
 * @param host   the address to listen on
 * @param port   the port to listen on (0: any free port)
 */
public record BrokerSettings(BrokerConfig config, String host, int port) {

    public static final int DEFAULT_PORT = 7400;
    public static final String DEFAULT_HOST = "0.0.0.0";

    public static final String PORT = "port";
    public static final String HOST = "host";
    public static final String FSYNC = "fsync";
    public static final String SEGMENT_BYTES = "segment.bytes";
    public static final String MAX_DELIVERIES = "max.deliveries";
    public static final String RETENTION_BYTES = "retention.bytes";
    public static final String RETENTION_MS = "retention.ms";
    public static final String SESSION_TIMEOUT_MS = "session.timeout.ms";
    public static final String MAX_MESSAGE_BYTES = "max.message.bytes";
    /** Keys of the file other than the per-topic ones. */
    public static final List<String> KEYS = List.of(PORT, HOST, FSYNC, SEGMENT_BYTES, MAX_DELIVERIES, RETENTION_BYTES,
            RETENTION_MS, SESSION_TIMEOUT_MS, MAX_MESSAGE_BYTES);
    private static final String TOPIC_PREFIX = "topic.";
    /** The settings a topic may give itself, as {@code topic.<name>.<setting>}. */
    private static final List<String> TOPIC_SETTINGS = List.of(RETENTION_BYTES, RETENTION_MS);

    public BrokerSettings {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(host, "host");
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
        Long maxMessageBytes = v.number(MAX_MESSAGE_BYTES, 1, BrokerConfig.FRAME_LIMIT / 2,
                "from 1 to " + BrokerConfig.FRAME_LIMIT / 2);
        if (maxMessageBytes != null) {
            config.maxMessageBytes(maxMessageBytes.intValue());
        }
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
        return new BrokerSettings(config.build(), host, port == null ? DEFAULT_PORT : port.intValue());
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
                if (!KEYS.contains(key) && topicSetting(key) == null) {
                    throw new ConfigException(fileName + ": unknown key '" + key + "'; known keys: "
                            + String.join(", ", KEYS) + ", " + TOPIC_PREFIX + "<name>." + RETENTION_BYTES + ", "
                            + TOPIC_PREFIX + "<name>." + RETENTION_MS);
                }
            }
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

        ConfigException bad(String key, String value, String expected) {
            return new ConfigException(origin(key) + ": bad value '" + value + "'; expected " + expected);
        }

        FsyncPolicy fsync(String key, String value) {
            try {
                return FsyncPolicy.parse(value);
            } catch (IllegalArgumentException e) {
                throw bad(key, value, Arrays.stream(FsyncPolicy.values()).map(p -> p.name().toLowerCase(Locale.ROOT))
                        .reduce((a, b) -> a + " | " + b).orElseThrow());
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
                Long value = number(key, file.getProperty(key).trim(), -1, Long.MAX_VALUE,
                        "at least 0, or -1 for no limit");
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
