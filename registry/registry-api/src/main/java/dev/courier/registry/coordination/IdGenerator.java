package dev.courier.registry.coordination;

/** Hands out unique 64-bit ids. Thread-safe. */
public interface IdGenerator {

    /**
     * The next id.
     *
     * @throws ClockMovedBackwardsException (snowflake) if the clock stepped back further than the
     *         generator waits out
     * @throws dev.courier.registry.RegistryException if the registry is needed and cannot be reached
     */
    long nextId();
}
