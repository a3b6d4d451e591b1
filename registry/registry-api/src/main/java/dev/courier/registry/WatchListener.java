package dev.courier.registry;

/**
 * Receives the events of one watch. Calls for one watch are made one at a time, in order, from a thread
 * the registry owns; a listener must not block for long. An exception thrown by a listener is logged
 * and does not end the watch.
 */
@FunctionalInterface
public interface WatchListener {

    /** Called for each event, starting with a {@link WatchEvent.Type#SNAPSHOT}. */
    void onEvent(WatchEvent event);
}
