package dev.courier.registry.coordination;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * An election among the clients of a registry: candidates campaign, the one whose campaign the
 * registry saw first leads until it resigns or its session lapses, then the next one leads. Thread-safe.
 */
public interface LeaderElection {

    /** The election's name. */
    String name();

    /**
     * Campaigns as {@code candidate} (at most {@value CoordinationBackend#MAX_VALUE_LENGTH} characters)
     * and waits up to {@code timeout} to lead.
     *
     * @return the leadership, or empty if this candidate did not come to lead in time (the campaign is
     *         withdrawn)
     * @throws InterruptedException if interrupted while waiting (the campaign is withdrawn)
     */
    Optional<Leadership> campaign(String candidate, Duration timeout) throws InterruptedException;

    /** The current leader, read from the registry; empty when there is none. */
    Optional<Leader> leader();

    /**
     * Calls {@code observer} with the current leader and then with every change of leader, in order, on
     * the coordination's thread (it must not block). Closing the returned handle stops it.
     */
    AutoCloseable observe(Consumer<Optional<Leader>> observer);

    /** A leader as observers see it: the candidate's name and its term (the election's fencing token). */
    record Leader(String candidate, long term) {}
}
