package dev.courier.mq.broker.storage;

/** When appended records become durable, and so when publishes are acknowledged. */
public enum FsyncPolicy {
    /** Every append is forced to disk before it returns (one fsync per publish call). */
    ALWAYS,
    /**
     * Group commit: appends go to the file at once and a flusher thread forces the file as soon as its
     * previous force returned, completing every append that the force covered.
     */
    GROUP,
    /** Never forced by the broker: "durable" means written to the operating system's page cache. */
    NEVER;

    public static FsyncPolicy parse(String s) {
        return valueOf(s.trim().toUpperCase(java.util.Locale.ROOT));
    }
}
