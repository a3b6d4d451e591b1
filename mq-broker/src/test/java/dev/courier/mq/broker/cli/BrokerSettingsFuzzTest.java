package dev.courier.mq.broker.cli;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.courier.mq.broker.BrokerConfig;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes {@link BrokerSettings#resolve} with config-file properties and flags made of the known keys,
 * per-topic keys and arbitrary ones (flags only for known keys, as on the command line), with
 * arbitrary values (numbers half of the time).
 * The property: it returns settings within the documented bounds or throws {@link ConfigException},
 * never anything else.
 */
class BrokerSettingsFuzzTest {

    private static final String[] TOPIC_KEYS = {"retention.ms", "retention.bytes", "segment.bytes", ""};

    @FuzzTest
    void resolvesWithinBoundsOrFailsWithAConfigException(FuzzedDataProvider data) {
        Properties file = new Properties();
        Map<String, String> flags = new LinkedHashMap<>();
        int entries = data.consumeInt(0, 12);
        for (int i = 0; i < entries; i++) {
            String key = switch (data.consumeInt(0, 3)) {
                case 0, 1 -> data.pickValue(BrokerSettings.KEYS);
                case 2 ->
                    "topic." + data.consumeString(12) + (data.consumeBoolean() ? "." : "") + data.pickValue(TOPIC_KEYS);
                default -> data.consumeString(24);
            };
            String value = data.consumeBoolean() ? Long.toString(data.consumeLong()) : data.consumeString(24);
            if (BrokerSettings.KEYS.contains(key) && data.consumeBoolean()) {
                flags.put(key, value); // flags exist only for the known keys (the command line has no others)
            } else {
                file.setProperty(key, value);
            }
        }
        BrokerSettings settings;
        try {
            settings = BrokerSettings.resolve(Path.of("data"), file, "broker.properties", flags);
        } catch (ConfigException expected) {
            assertThat(expected.getMessage()).isNotBlank();
            return;
        }
        assertThat(settings.port()).isBetween(0, 65535);
        assertThat(settings.host()).isNotNull();
        BrokerConfig config = settings.config();
        assertThat(config.log().segmentBytes()).isGreaterThanOrEqualTo(1024);
        assertThat(config.maxDeliveries()).isPositive();
        for (String topic : config.topicLogs().keySet()) {
            assertThat(config.logFor(topic)).isNotNull();
        }
    }
}
