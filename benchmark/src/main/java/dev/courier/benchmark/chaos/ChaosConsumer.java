package dev.courier.benchmark.chaos;

import dev.courier.mq.client.MqClient;
import dev.courier.mq.client.SubscribeOptions;
import dev.courier.mq.client.Subscriber;
import dev.courier.mq.client.protocol.StartPosition;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A consumer of the fault harness, run as a child process: attached to one subscription from the
 * earliest offset, it records every delivery in its history file before acknowledging it, until its
 * stdin closes; then it detaches and exits.
 */
@Command(name = "chaos-consumer", mixinStandardHelpOptions = true, description = "A consumer of the fault harness.")
public final class ChaosConsumer implements Callable<Integer> {

    @Option(names = "--broker", required = true)
    String broker;

    @Option(names = "--topic", required = true)
    String topic;

    @Option(names = "--subscription", required = true)
    String subscription;

    @Option(names = "--history", required = true)
    Path history;

    @Option(names = "--prefetch", defaultValue = "100")
    int prefetch;

    @Option(names = "--ack-timeout-ms", defaultValue = "10000")
    long ackTimeoutMillis;

    @Override
    public Integer call() throws Exception {
        CountDownLatch stop = ChaosClients.stdinClosed();
        AtomicLong received = new AtomicLong();
        SubscribeOptions options = SubscribeOptions.defaults()
                .from(StartPosition.EARLIEST)
                .prefetch(prefetch)
                .ackTimeout(Duration.ofMillis(ackTimeoutMillis));
        try (HistoryWriter out = new HistoryWriter(history);
                MqClient client = MqClient.connect(broker)) {
            // AUTO ack: the delivery is on file before the handler returns and the ack goes.
            Subscriber sub = client.subscribe(topic, subscription, options, m -> {
                out.line("D " + ChaosClients.idOf(m.payload()) + " " + HistoryWriter.nowMicros() + " "
                        + m.deliveryCount());
                received.incrementAndGet();
            });
            stop.await();
            sub.close();
        }
        System.out.printf(Locale.ROOT, "consumer %s: %d deliveries%n", subscription, received.get());
        return 0;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new ChaosConsumer()).execute(args));
    }
}
