package dev.courier.registry.raft;

import dev.courier.registry.Registries;
import dev.courier.registry.Registry;
import dev.courier.registry.coordination.Coordination;
import dev.courier.registry.coordination.IdGenerator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/**
 * {@code courier id --registry URL [--count N] [--segment]}: prints unique ids, one per line: snowflake
 * ids on a worker id leased from the registry, or with {@code --segment} ids from ranges claimed from
 * the registry counter {@code --name}. With {@code --stats} the rate goes to standard error as
 * {@code IDS count=N seconds=S per_second=R}.
 */
@Command(name = "id", mixinStandardHelpOptions = true, description = "Prints unique ids from the registry.")
public final class IdCommand implements Callable<Integer> {

    @Option(names = "--registry", required = true, description = "embedded://, raft://..., zookeeper://...")
    String registry;

    @Option(names = "--count", defaultValue = "1", description = "How many ids (default: ${DEFAULT-VALUE}).")
    long count;

    @Option(names = "--segment", description = "Segment ids (strictly increasing) instead of snowflake ids.")
    boolean segment;

    @Option(
            names = "--name",
            defaultValue = "default",
            description = "The segment counter (default: ${DEFAULT-VALUE}).")
    String counter;

    @Option(
            names = "--step",
            defaultValue = "1000",
            description = "Ids per claimed segment (default: ${DEFAULT-VALUE}).")
    int step;

    @Option(names = "--stats", description = "Print the rate to standard error when done.")
    boolean stats;

    public static void main(String[] args) {
        System.exit(new CommandLine(new IdCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        try (Registry client = Registries.connect(registry);
                Coordination coordination = client.openCoordination(Coordination.DEFAULT_SESSION_TTL)) {
            IdGenerator ids = segment ? coordination.segments(counter, step) : coordination.snowflake();
            BufferedWriter out =
                    new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.US_ASCII), 1 << 16);
            long start = System.nanoTime();
            for (long i = 0; i < count; i++) {
                out.write(Long.toString(ids.nextId()));
                out.write('\n');
                if ((i & 1023) == 1023) {
                    out.flush(); // what was printed is what was handed out, should this process die
                }
            }
            out.flush();
            double seconds = (System.nanoTime() - start) / 1e9;
            if (stats) {
                System.err.printf("IDS count=%d seconds=%.3f per_second=%.0f%n", count, seconds, count / seconds);
            }
            return 0;
        } catch (dev.courier.registry.RegistryException e) {
            System.err.println("courier id: " + e.getMessage());
            return 1;
        }
    }
}
