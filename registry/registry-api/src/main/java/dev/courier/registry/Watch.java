package dev.courier.registry;

/** A running watch. {@link #close()} is idempotent; after it returns no further events are delivered. Thread-safe. */
public interface Watch extends AutoCloseable {

    /** The watched service. */
    ServiceKey key();

    /** Stops the watch. */
    @Override
    void close();
}
