package dev.courier.examples;

import dev.courier.mq.broker.Broker;
import dev.courier.mq.broker.EmbeddedBroker;
import dev.courier.mq.client.MqClient;
import dev.courier.mq.client.Producer;
import dev.courier.mq.client.Subscriber;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The demo's publish/subscribe round: an embedded broker on an ephemeral port with its log in a
 * temporary directory, two subscriptions to one topic (each receives every message), and a producer
 * whose sends complete once the broker has made them durable.
 */
public final class PubSubRound {

    static final int MESSAGES = 5;

    private final PrintStream out;

    public PubSubRound(PrintStream out) {
        this.out = out;
    }

    /** Runs the round; true when both subscriptions received every message. */
    public boolean run() throws Exception {
        Path dataDir = Files.createTempDirectory("courier-demo-broker-");
        try (Broker broker = EmbeddedBroker.start(dataDir);
                MqClient client = MqClient.connect("127.0.0.1:" + broker.port())) {
            out.println("broker: embedded, listening on " + broker.address() + ", log in " + dataDir);
            List<String> billing = Collections.synchronizedList(new ArrayList<>());
            List<String> shipping = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch received = new CountDownLatch(2 * MESSAGES);
            List<Subscriber> subscribers = List.of(
                    client.subscribe("orders", "billing", m -> {
                        billing.add(new String(m.payload(), StandardCharsets.UTF_8));
                        received.countDown();
                    }),
                    client.subscribe("orders", "shipping", m -> {
                        shipping.add(new String(m.payload(), StandardCharsets.UTF_8));
                        received.countDown();
                    }));
            try (Producer producer = client.producer("orders")) {
                List<CompletableFuture<?>> acks = new ArrayList<>();
                for (int i = 1; i <= MESSAGES; i++) {
                    acks.add(producer.send(("order-" + i).getBytes(StandardCharsets.UTF_8)));
                }
                CompletableFuture.allOf(acks.toArray(new CompletableFuture<?>[0]))
                        .get(10, TimeUnit.SECONDS);
                out.printf("  published %d messages to topic 'orders'; each acknowledged after fsync%n", MESSAGES);
                boolean all = received.await(10, TimeUnit.SECONDS);
                out.println("  subscription 'billing'  received " + billing);
                out.println("  subscription 'shipping' received " + shipping);
                return all && billing.size() == MESSAGES && shipping.size() == MESSAGES;
            } finally {
                subscribers.forEach(Subscriber::close);
            }
        } finally {
            deleteTree(dataDir);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
