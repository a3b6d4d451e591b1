package dev.courier.registry.internal;

import dev.courier.registry.ServiceInstance;
import dev.courier.registry.WatchEvent;

/**
 * One committed change to the registry. Immutable.
 *
 * @param type {@code ADDED}, {@code UPDATED} or {@code REMOVED}
 * @param revision the global revision this change created
 * @param instance the instance concerned
 */
public record Change(WatchEvent.Type type, long revision, ServiceInstance instance) {}
