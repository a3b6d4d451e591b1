package dev.courier.mq.broker.testing;

/** What threads this JVM runs, for tests that bound them. */
public final class Threads {

    private Threads() {}

    /** Live threads whose names start with {@code prefix}. */
    public static long named(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(prefix))
                .count();
    }
}
