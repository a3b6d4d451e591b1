package dev.courier.mq.broker.internal;

import java.util.regex.Pattern;

/** Checks topic and subscription names (they become file names). Stateless. */
public final class Names {

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._-]{1,200}");

    private Names() {}

    public static String check(String kind, String name) {
        if (name == null || !VALID.matcher(name).matches() || name.startsWith(".")) {
            throw new IllegalArgumentException("Invalid " + kind + " name '" + name
                    + "': use 1 to 200 characters of [A-Za-z0-9._-], not starting with '.'");
        }
        return name;
    }

    /**
     * The subscription on a dead-letter topic that marks which dead letters were replayed or purged
     * by an operator (reserved there).
     */
    public static final String REPLAYED = "courier.replayed";

    /** The dead-letter topic of a subscription. */
    public static String deadLetterTopic(String topic, String subscription) {
        return topic + "." + subscription + DEAD_LETTER_SUFFIX;
    }

    private static final String DEAD_LETTER_SUFFIX = ".dlq";

    /** Whether {@code topic} is named as a dead-letter topic is (whoever created it). */
    public static boolean isDeadLetterTopic(String topic) {
        return topic.endsWith(DEAD_LETTER_SUFFIX);
    }
}
