package dev.courier.benchmark.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What the clients of a run recorded, read back from their history files. A producer writes
 * {@code S <id>} before it sends a message, {@code A <id> <epoch micros>} once the broker acknowledged
 * it and {@code F <id>} when it gave up on it; a consumer writes {@code D <id> <epoch micros>
 * <delivery count>} for every delivery, before acknowledging it. Lines are flushed one by one, so a
 * file holds everything its writer saw up to its last complete line; a torn last line is ignored.
 *
 * <p>Not thread-safe: build it, then read it.
 */
final class History {

    /** The name of every producer's history file starts with this; consumers' with {@link #CONSUMER_PREFIX}. */
    static final String PRODUCER_PREFIX = "producer-";

    static final String CONSUMER_PREFIX = "consumer-";

    private final Set<String> attempted = new HashSet<>();
    private final Map<String, Long> acknowledged = new HashMap<>();
    private final Set<String> failed = new HashSet<>();
    private final Map<String, List<String>> deliveries = new LinkedHashMap<>();

    History attempt(String id) {
        attempted.add(id);
        return this;
    }

    History ack(String id, long epochMicros) {
        acknowledged.putIfAbsent(id, epochMicros);
        return this;
    }

    History fail(String id) {
        failed.add(id);
        return this;
    }

    History deliver(String subscription, String id) {
        deliveries.computeIfAbsent(subscription, s -> new ArrayList<>()).add(id);
        return this;
    }

    /** Declares a subscription that may have had no delivery at all (every one is checked). */
    History subscription(String subscription) {
        deliveries.computeIfAbsent(subscription, s -> new ArrayList<>());
        return this;
    }

    Set<String> attempted() {
        return attempted;
    }

    /** Acknowledged ids with the time of their acknowledgement. */
    Map<String, Long> acknowledged() {
        return acknowledged;
    }

    Set<String> failed() {
        return failed;
    }

    /** Delivered ids per subscription, in delivery order, duplicates included. */
    Map<String, List<String>> deliveries() {
        return deliveries;
    }

    /** The acknowledgement times, ascending. */
    long[] ackTimes() {
        long[] t = acknowledged.values().stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(t);
        return t;
    }

    /**
     * Reads every {@code producer-*.log} and {@code consumer-<subscription>-*.log} in {@code dir};
     * {@code subscriptions} are declared even when nothing of theirs was delivered.
     */
    static History read(Path dir, List<String> subscriptions) {
        History h = new History();
        subscriptions.forEach(h::subscription);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString();
                if (name.startsWith(PRODUCER_PREFIX) && name.endsWith(".log")) {
                    lines(f).forEach(h::producerLine);
                } else if (name.startsWith(CONSUMER_PREFIX) && name.endsWith(".log")) {
                    String subscription = subscriptionOf(name);
                    lines(f).forEach(l -> h.consumerLine(subscription, l));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return h;
    }

    /** The history file of consumer {@code index} of {@code subscription}. */
    static String consumerFile(String subscription, int index) {
        return CONSUMER_PREFIX + subscription + "-" + index + ".log";
    }

    static String producerFile(int index) {
        return PRODUCER_PREFIX + index + ".log";
    }

    private static String subscriptionOf(String consumerFile) {
        String rest = consumerFile.substring(CONSUMER_PREFIX.length(), consumerFile.length() - ".log".length());
        return rest.substring(0, rest.lastIndexOf('-'));
    }

    /** Complete lines only: a last line without its newline was being written and is dropped. */
    private static List<String> lines(Path f) throws IOException {
        String text = Files.readString(f, StandardCharsets.UTF_8);
        int end = text.lastIndexOf('\n');
        return end < 0 ? List.of() : text.substring(0, end).lines().toList();
    }

    private void producerLine(String line) {
        String[] p = line.split(" ");
        switch (p[0]) {
            case "S" -> attempt(p[1]);
            case "A" -> ack(p[1], Long.parseLong(p[2]));
            case "F" -> fail(p[1]);
            default -> throw new IllegalStateException("Bad producer history line: " + line);
        }
    }

    private void consumerLine(String subscription, String line) {
        String[] p = line.split(" ");
        if (!p[0].equals("D")) {
            throw new IllegalStateException("Bad consumer history line: " + line);
        }
        deliver(subscription, p[1]);
    }
}
