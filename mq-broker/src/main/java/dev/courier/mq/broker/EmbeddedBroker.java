package dev.courier.mq.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Starts a broker inside this process on loopback and an ephemeral port, for demos and tests.
 *
 * <pre>{@code
 * try (Broker broker = EmbeddedBroker.start(dataDir);
 *      MqClient client = MqClient.connect("127.0.0.1:" + broker.port())) { ... }
 * }</pre>
 */
public final class EmbeddedBroker {

    private EmbeddedBroker() {}

    /** A broker with default settings on {@code dataDir}; close it when done. */
    public static Broker start(Path dataDir) {
        return start(BrokerConfig.builder(dataDir).build());
    }

    public static Broker start(BrokerConfig config) {
        try {
            return Broker.start(config, "127.0.0.1", 0);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open the broker's data directory " + config.dataDir(), e);
        }
    }
}
