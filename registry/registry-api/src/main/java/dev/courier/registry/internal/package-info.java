/**
 * Implementation shared by the registry backends: the lease/revision state machine, the client that
 * keeps leases alive and turns change batches into watch events, and the embedded backend.
 */
package dev.courier.registry.internal;
