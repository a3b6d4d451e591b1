package dev.courier.registry.internal;

import java.util.List;

/**
 * The changes to one service after a given revision. Immutable.
 *
 * @param revision the revision the reader has seen up to once it applied {@code changes}
 * @param changes the changes, in revision order, without gaps for this service
 * @param reset {@code true} when the changes are no longer retained: the reader must list again
 */
public record ChangeBatch(long revision, List<Change> changes, boolean reset) {

    public ChangeBatch {
        changes = List.copyOf(changes);
    }

    /** Tells the reader to list again. */
    public static ChangeBatch resetAt(long revision) {
        return new ChangeBatch(revision, List.of(), true);
    }
}
