/**
 * The coordination primitives built once over {@link dev.courier.registry.coordination.CoordinationBackend}:
 * the same code runs on every registry backend.
 */
package dev.courier.registry.coordination.internal;
