package dev.courier.mq.broker.internal;

/** What tests outside this package may read of {@link Topics}. */
public final class TopicsAccess {

    private TopicsAccess() {}

    public static int flusherThreads() {
        return Topics.FLUSHER_THREADS;
    }
}
